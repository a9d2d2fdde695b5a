"""Turning classified inputs into data: add them to a dataset folder, or sort them into folders.

Both only ever copy (or, when asked, move) the user's files; neither overwrites anything.
"""
