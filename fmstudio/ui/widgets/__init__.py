"""Reusable widgets: each a small piece of the window that shows one thing."""
