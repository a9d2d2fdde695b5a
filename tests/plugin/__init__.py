"""A task that plugs in from outside fmstudio's own packages: the proof that a new
classifier is a row plus its package (`tests/core/test_plugin_task.py`)."""
