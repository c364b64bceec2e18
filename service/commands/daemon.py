"""``leadscore daemon run|once|status``: the long-running service beside the CRM.

``run`` blocks until SIGTERM or SIGINT (a running pass finishes first); ``once`` runs one full
scoring pass and exits (for cron, and to try a configuration); ``status`` reads the state store.
Exit codes: 0 done; 2 bad input (the rules file, a setting); 1 the CRM or Slack failed.
"""

from __future__ import annotations

import signal
import threading
from datetime import datetime
from typing import Any

import typer
from rich.table import Table

from service.commands.common import console, plain
from service.errors import LeaseError, PassInterrupted, StateStoreError
from service.settings import get_settings

TIER_ORDER = ("Hot", "Warm", "Cool", "Cold", "Unscoreable")
daemon_app = typer.Typer(
    help="The service beside the CRM: re-score on tier cadences and new activity, write the "
    "Lead_Score_* fields, alert Slack on new Hot leads, recalibrate monthly.",
    no_args_is_help=True,
)


@daemon_app.command()
def run() -> None:
    """Run until stopped (SIGTERM or Ctrl-C): score every poll, reload rules, recalibrate monthly."""
    from service.daemon.context import Daemon
    from service.daemon.scheduler import serve
    from service.logging import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        # a state database that is down at start-up is waited for, not a crash loop
        d = Daemon.from_settings(settings, forever=True, sleep=stop.wait)
    except StateStoreError:
        if stop.is_set():
            return
        raise
    d.stop = stop
    try:
        serve(d, stop)
    finally:
        d.close()


def _tiers(counts: dict[str, int]) -> str:
    return ", ".join(f"{t} {counts.get(t, 0):,}" for t in TIER_ORDER)


@daemon_app.command()
def once(
    recalibrate: bool = typer.Option(
        False, "--recalibrate", help="Also rebuild the model from closed deals (as monthly)."
    ),
    now: str | None = typer.Option(
        None,
        "--now",
        help="Run the pass as if it were this time (ISO, UTC unless a zone is given, e.g. "
        "2027-01-15T09:00): cadences, SLA deadlines, stale windows and the experiment follow it.",
    ),
) -> None:
    """Run one full scoring pass and exit (exit 1 when the CRM cannot be reached, or another
    instance holds the lease for longer than LEADSCORE_DAEMON__LEASE_WAIT_SECONDS)."""
    from service.daemon.context import SCORE_JOB, Daemon
    from service.daemon.jobs import (
        OUTCOMES_JOB,
        RECALIBRATE_JOB,
        held_elsewhere,
        outcomes_job,
        recalibrate_job,
        score_job,
    )
    from service.logging import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    if now is not None:
        fixed = parse_now(now)
        d = Daemon.from_settings(settings, clock=lambda: fixed)
    else:
        d = Daemon.from_settings(settings)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: d.stop.set())
    try:
        assert d.lease is not None
        if not d.lease.acquire(settings.daemon.lease_wait_seconds, sleep=d.stop.wait):
            raise LeaseError(held_elsewhere(d))
        error = score_job(d)
        if isinstance(error, PassInterrupted):
            console.print(
                "Stopped between batches; what was done is kept and the next pass goes on.",
                highlight=False,
            )
            return
        if error is not None:
            raise error
        r = d.leads.last_runs()[SCORE_JOB]["detail"]
        console.print(
            f"{plain(r['connector'])}: {r['pulled']:,} leads pulled, {r['activities']:,} activities; "
            f"{r['scored']:,} scored with rules {r['rules_version']}, {r['changed']:,} changed, "
            f"{r['written']:,} written, {r['failed']:,} kept for retry; "
            f"{r['alerts_sent']:,} Hot alerts sent",
            highlight=False,
            soft_wrap=True,
        )
        console.print(f"Leads per tier: {_tiers(r['tiers'])}", highlight=False)
        rules5 = r.get("rules5") or {}
        if rules5:
            console.print(
                "Section 5: "
                + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in sorted(rules5.items())),
                highlight=False,
                soft_wrap=True,
            )
        error = outcomes_job(d)
        if error is not None:
            raise error
        o = d.leads.last_runs()[OUTCOMES_JOB]["detail"]
        console.print(
            f"Closed deals: {o['deals_seen']:,} seen, {o['deals_new']:,} recorded with their score",
            highlight=False,
        )
        if recalibrate:
            error = recalibrate_job(d)
            if error is not None:
                raise error
            dec = d.leads.last_runs()[RECALIBRATE_JOB]["detail"]
            verb = "promoted" if dec["promoted"] else "not promoted"
            console.print(
                plain(f"Candidate {dec['version']} in {dec['folder']}: {verb} ({dec['reason']})"),
                highlight=False,
                soft_wrap=True,
            )
    finally:
        d.close()


def parse_now(text: str) -> datetime:
    """``--now``: an ISO time, UTC unless it names a zone (``ConfigError`` naming the flag)."""
    from datetime import UTC

    from service.errors import ConfigError

    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(
            f"--now {text!r} is not a time: write it as 2027-01-15T09:00 (UTC) or with a zone, "
            "2027-01-15T09:00+01:00."
        ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "never"


def _summary(job: str, detail: dict[str, Any]) -> str:
    if "error" in detail:
        return plain(f"{detail.get('error_type', 'error')}: {detail['error']}")
    if job == "score_cycle":
        return (
            f"{detail.get('scored', 0):,} scored, {detail.get('written', 0):,} written, "
            f"{detail.get('failed', 0):,} refused"
        )
    if job == "model_health":
        return f"{detail.get('flags', 0)} finding(s), {detail.get('act', 0)} to act on"
    if job == "deal_outcomes":
        return (
            f"{detail.get('deals_seen', 0):,} closed deals seen, "
            f"{detail.get('deals_new', 0):,} recorded"
        )
    if job == "recalibrate":
        return f"{detail.get('version')}: {'promoted' if detail.get('promoted') else 'kept live'}"
    return ""


@daemon_app.command()
def status() -> None:
    """Show cursors, last runs, leads per tier, pending failures and alerts (from the state store)."""
    from service.daemon.rules_watch import rules_key
    from service.data.digest import file_digest
    from service.errors import RulesError
    from service.redact import safe_url
    from service.scoring.rules import load_rules
    from service.state.leads import LeadState
    from service.state.lease import Lease
    from service.state.outbox import Outbox
    from service.state.store import StateStore

    settings = get_settings()
    name = settings.connector
    store = StateStore(settings.state_url)
    try:
        leads = LeadState(store)
        holder = Lease(store).current_holder()
        if holder is None:
            console.print("running daemon: none holds the lease now", highlight=False)
        else:
            console.print(
                f"running daemon: {holder['holder']} (active since {_when(holder['acquired_at'])})",
                highlight=False,
                soft_wrap=True,
            )
        last = leads.last_runs().get("score_cycle")
        used = (last or {}).get("detail", {}).get("rules_key") if last else None
        if used:
            console.print(f"rules the last pass used: {used}", highlight=False)
        try:
            loaded = load_rules(settings.rules_path)
            rules = f"version {loaded.version}, key {rules_key(loaded.version, file_digest(settings.rules_path))}"
        except RulesError as exc:
            rules = (
                "MISSING: set LEADSCORE_RULES_PATH"
                if not settings.rules_path.exists()
                else f"INVALID: {len(exc.problems)} problem(s); run leadscore rules check"
            )
        console.print(
            f"connector {plain(name)}; state {plain(safe_url(settings.state_url))}; "
            f"rules {plain(settings.rules_path)} ({plain(rules)})",
            highlight=False,
            soft_wrap=True,
        )
        for stream in ("leads", "activities", "deals"):
            console.print(f"cursor {stream}: {_when(store.get_cursor(name, stream))}")
        runs = leads.last_runs()
        table = Table(title="Last runs")
        for col in ("Job", "Last run", "Result", "Last success", "Summary"):
            table.add_column(col)
        for job, run in runs.items():
            table.add_row(
                job,
                _when(run["finished_at"]),
                "ok" if run["ok"] else "[red]failed[/]",
                _when(run["last_success"]),
                _summary(job, run["detail"]),
            )
        if runs:
            console.print(table)
        else:
            console.print("no runs yet: start it with leadscore daemon run (or once)")
        console.print(f"leads per tier: {_tiers(leads.tier_counts(name))}", highlight=False)
        pending = store.pending_failures(name)
        console.print(f"pending failures: {len(pending):,}")
        for err in pending[:10]:
            console.print(
                f"  {plain(err.record_id)}: {plain(err.reason)}", highlight=False, soft_wrap=True
            )
        console.print(
            f"Hot alerts recorded: {leads.alerts_sent(name):,}; "
            f"waiting to be sent: {len(leads.pending_alerts(name)):,}"
        )
        counts = Outbox(store).counts(name)
        console.print(
            "Slack outbox: "
            + (", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())) or "empty"),
            highlight=False,
        )
        _sla(store, name)
        _health(store)
    finally:
        store.close()


def _sla(store: Any, connector: str) -> None:
    """Rule 2's SLA compliance per rep (met / finished clocks) and the clocks still running."""
    from service.state.sla import Section5Log

    rows = Section5Log(store).compliance(connector)
    if not rows:
        console.print("SLA: no Hot lead timed yet")
        return
    met = sum(r.met for r in rows)
    breached = sum(r.breached for r in rows)
    running = sum(r.running for r in rows)
    total = f"{met / (met + breached):.0%}" if met + breached else "n/a"
    console.print(
        f"SLA compliance: {total} ({met:,} met, {breached:,} breached, {running:,} running)",
        highlight=False,
    )
    for r in rows:
        rate = f"{r.rate:.0%}" if r.rate is not None else "n/a"
        console.print(
            plain(f"  {r.owner}: {rate} ({r.met} met, {r.breached} breached, {r.running} running)"),
            highlight=False,
            soft_wrap=True,
        )


def _health(store: Any) -> None:
    """The last model health check: when, on what, and its findings (most urgent first)."""
    from rich.markup import escape

    from service.state.health import HealthHistory

    last = HealthHistory(store).latest()
    if last is None:
        console.print("model health: not checked yet (weekly, or leadscore model health)")
        return
    flags = sorted(last.get("flags", []), key=lambda f: f.get("severity") != "act")
    verdict = "healthy" if not flags else f"{len(flags)} finding(s)"
    console.print(
        f"model health ({last.get('model_version')}, checked {last.get('checked_at')}): "
        f"{verdict}; {last.get('leads_n', 0):,} open leads, {last.get('deals_n', 0):,} new deals",
        highlight=False,
        soft_wrap=True,
    )
    for f in flags[:5]:
        console.print(
            escape(f"  [{f['severity']}] {f['message']}"), highlight=False, soft_wrap=True
        )
    if len(flags) > 5:
        console.print(f"  ... {len(flags) - 5} more: leadscore model health")


def register(app: typer.Typer) -> None:
    """Add the ``daemon`` command group to ``leadscore``."""
    app.add_typer(daemon_app, name="daemon")
