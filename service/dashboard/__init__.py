"""The read-only web dashboard: the three dashboards of the specification's Section 5.3 and a
model page, from the state store (``leadscore dashboard``; also served by ``leadscore daemon run``)."""
