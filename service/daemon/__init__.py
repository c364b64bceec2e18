"""The long-running service beside the CRM (``leadscore daemon``).

- ``context.Daemon``: settings, state store, rules in force, connector factory, Slack, metrics, clock;
- ``cycle.run_cycle``: one scoring pass (changes, activity, cadences, write-back, Hot alerts);
- ``rules_watch.RulesWatcher``: hot reload of the rules file, keeping the last good rules;
- ``recalibrate.recalibrate``: the monthly rebuild and its promotion rule;
- ``jobs``: the jobs as plain functions; ``scheduler``: the APScheduler wiring and ``serve``;
- ``metrics``: Prometheus metrics and the ``/metrics``, ``/livez``, ``/readyz`` endpoint.
"""
