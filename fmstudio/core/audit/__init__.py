"""Auditing a dataset before training: label errors, near duplicates, leaks and outliers, from
embeddings of the task's model (any classifier task: its finetuner gives the features)."""
