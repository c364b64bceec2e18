"""Section 6.5's A/B test: stable groups (``groups``) and the comparison report (``report``)."""
