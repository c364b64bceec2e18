"""Step 1 of the analysis: the data audit behind ``leadscore audit`` and the first step of a build
(inventory, quality, inputs, suspected leakage, sales-process fields)."""
