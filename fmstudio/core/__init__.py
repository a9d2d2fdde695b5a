"""Qt-free core: jobs are generators that yield events and return results."""
