"""Image classification: model loading, preprocessing, batched inference."""
