"""Text: sentence embeddings for zero-shot, and sequence classifiers."""
