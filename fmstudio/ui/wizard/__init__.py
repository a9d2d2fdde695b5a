"""`wizard.py` composes the pages of `setup_pages.py` and `run_pages.py`; they share `state.py`."""
