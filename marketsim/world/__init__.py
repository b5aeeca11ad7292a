"""The world the month's phases read and write: building it, its starting stocks, its ledger."""
