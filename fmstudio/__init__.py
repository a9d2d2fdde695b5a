"""fmstudio: a desktop studio for foundation models, offline."""

__version__ = "0.1.0"
