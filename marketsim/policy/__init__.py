"""Policies as events: the records, the policy book that compiles them, and their schedule."""
