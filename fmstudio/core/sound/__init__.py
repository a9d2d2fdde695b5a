"""Sounds: what is heard in a recording (AudioSet's 521 classes), over time.

`frontend` turns 16 kHz samples into YAMNet's log-mel patches, `yamnet` runs the bundled
quantised YAMNet through ONNX Runtime, `timeline` merges its per-patch scores into segments of
which sound when.
"""
