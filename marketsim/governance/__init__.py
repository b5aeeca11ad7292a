"""Governments deciding: what they observe, their strategies, rounds, shocks and decisions."""
