"""The scenario: its schema (every config model has its home here) and loading TOML files."""
