"""The fine-tuning wizard: data, model, settings, training, evaluation, saving."""
