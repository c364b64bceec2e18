"""Reading deal and lead files, and mapping their columns with a build configuration."""
