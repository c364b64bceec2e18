"""Step 5 of the analysis: the holdout validation, its metrics, baselines and confidence."""
