"""Model health and lifecycle: the weekly check and monthly review of Section 6.4.

- ``psi``: the population stability index;
- ``lifts``: each signal's lift measured on a set of closed deals (shared by both reviews);
- ``check``: the weekly health check (tier win rates, tier shares, PSI, fire rates, unseen
  values, decay), as a ``HealthReport`` (``report``), with the rebuild triggers (``triggers``);
- ``champion``: the live rules and a candidate on the same holdout deals;
- ``diff``: what changed between two rules files;
- ``recalibration``: the monthly review written as ``recalibration.md`` beside a candidate;
- ``registry``: every built, promoted and retired model on the local file layout, with
  promotion and rollback.
"""
