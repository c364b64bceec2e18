"""Speed and accuracy benchmarks: ``python -m benchmarks [name]`` (``make bench`` runs them all).

Every module in this package that defines ``main()`` is a benchmark; ``__main__`` finds them, so a
new benchmark is just a new module. Figures are printed as ratios measured in the same run.
"""
