"""Step 2 of the analysis: candidate attributes, their win/loss statistics and interactions."""
