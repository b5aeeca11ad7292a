"""Runs and what they report: the runner, metrics, summary, scorecard, views, files."""
