"""A state store filled by hand with known figures, and the dashboard on it (in process)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from connectors.base import LeadRecord
from service.dashboard.app import create_app
from service.dashboard.pages import Site
from service.settings import DashboardSettings
from service.state.leads import LeadState, Scored
from service.state.outcomes import DealOutcomes, Outcome
from service.state.store import StateStore
from tests.ci import PG_URL, pg_schema
from tests.daemon.conftest import RULES

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PAGES = ("/", "/performance", "/reps", "/model")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StateStore]:
    """An empty state store on SQLite, and on PostgreSQL in a schema of its own."""
    if request.param == "sqlite":
        s = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
        yield s
        s.close()
        return
    with pg_schema() as schema:
        s = StateStore(PG_URL, schema=schema)
        try:
            yield s
        finally:
            s.close()


@pytest.fixture
def rules_path(tmp_path: Path) -> Path:
    path = tmp_path / "rules" / "live.yaml"
    path.parent.mkdir()
    path.write_text(RULES, encoding="utf-8")
    return path


def client_for(
    store: StateStore, rules_path: Path, record_url: str | None = None, **settings: Any
) -> TestClient:
    site = Site(
        connector="local",
        clock=lambda: NOW,
        rules_path=rules_path,
        models_dir=rules_path.parent / "models",
        record_url=record_url,
    )
    return TestClient(create_app(store.engine, site, DashboardSettings(**settings)))


def add_leads(
    store: StateStore,
    leads: list[tuple[str, str, float, str | None, dict[str, Any]]],
    at: datetime,
) -> None:
    """``(id, tier, total, owner, attributes)``: pulled and scored at ``at``."""
    state = LeadState(store)
    state.upsert_leads(
        "local",
        [LeadRecord(i, "Lead", at, attrs, owner=owner) for i, _, _, owner, attrs in leads],
        at,
    )
    state.record_scored(
        "local", [Scored(i, tier, total) for i, tier, total, _, _ in leads], "t1", at
    )


def add_deals(store: StateStore, deals: list[Outcome], at: datetime) -> None:
    DealOutcomes(store).record("local", deals, "t1", at, backfill=False)
