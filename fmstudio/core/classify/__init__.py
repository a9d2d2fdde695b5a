"""The classifier family: what every classifier task (image, text, …) shares."""
