"""The scoring benchmark's generated leads and rules stay in step with each other."""

from __future__ import annotations

from benchmarks.scoring import bench_rules, generate_leads
from service.data.io import normalise_placeholders
from service.scoring.engine import score_frame


def test_benchmark_rules_read_only_generated_columns():
    """Every signal of the benchmark rules is fed by a generated column and some leads reach Hot."""
    rules = bench_rules()
    leads = generate_leads(5000, seed=1)
    normalise_placeholders(leads)
    res = score_frame(rules, leads)
    assert len(rules.signals) == 25
    assert res.unmapped_signals == []
    assert res.fires.any().all(), "every signal fires for someone"
    assert set(res.scores["tier"]) >= {"Hot", "Warm", "Cool", "Cold"}
