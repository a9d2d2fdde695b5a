"""Reusable widgets: drop area, results table, score bars."""
