"""Text: sentence embeddings for zero-shot, and sequence classifiers.

This file stays free of heavy imports so the window can read the defaults instantly.
"""

DEFAULT_TEMPLATE = "This text is about {label}."
