"""leadscore: lead scoring built from your own win/loss history."""

__version__ = "0.1.0"
