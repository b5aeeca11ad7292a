"""The world the month's phases read and write: its state (the World), building it, its starting
stocks, its ledger, the month's phases and flows."""
