"""The Text, Image and Speech tabs."""
