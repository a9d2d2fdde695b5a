"""`wizard.py` composes one page per file (`data_page.py` … `save_page.py`, in the order the
user meets them); the pages share `state.py` and never import each other."""
