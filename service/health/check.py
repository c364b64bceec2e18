"""The weekly model health check of Section 6.4, as one function of the live model and the data.

``check_health(rules, analysis, leads, deals, y)`` compares, against what the model promised when
it was built (``analysis.json``):

- **tier win rates** of the deals closed since the model went live, scored with the live rules,
  against each tier's promised rate and interval (``tiers[].holdout_win_rate`` and
  ``holdout_ci`` when the build recorded them, else ``expected_conversion`` with ``ci_low`` /
  ``ci_high``). Flagged when the Wilson 95% interval of the observed rate lies wholly outside the
  promised interval (so a handful of deals does not raise a false alarm);
- **tier volume shares** of the open leads against the shares at build time
  (``share_of_current_leads``, else ``share_of_leads``): flagged beyond ``share_tolerance``;
- **score distribution**: the PSI of each dimension and of the total against
  ``health_reference.scores`` (0.1 watch, 0.25 act);
- **signal fire rates** of the newest leads against build time: a field that went empty
  (``known_rate`` down by ``known_drop`` or more: an enrichment outage) is flagged to act; a fire
  rate moved by ``fire_shift`` or more (and significant) is flagged to watch;
- **values the model never saw** (a new lead source, segment or industry) with their volume;
- **signal decay**: a signal that no longer predicts on the new deals (``lifts.SignalLift``);
- the **rebuild triggers**: AUC on the new deals below the model's target; Hot win rate below
  half the promised one; a new value at ``new_value_rebuild_share`` (10%) of leads or more; more
  new closed deals than the model was trained on.

Each problem is a ``Flag`` (``watch`` or ``act``); a report with no flag is healthy.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from service.health.lifts import SignalLift, measure_lifts, model_lifts
from service.health.psi import ACT, WATCH, level, psi
from service.health.report import TIER_ORDER, Flag, HealthReport, HealthSettings, promised_rate
from service.health.triggers import rebuild_triggers
from service.model.analysis_schema import Analysis, HealthReference, TierRow
from service.model.reference import bin_shares, normalise
from service.model.stats import two_proportion_test, wilson_interval
from service.scoring.engine import score_frame
from service.scoring.rules import Rules


def _intended_share(row: TierRow | None) -> float | None:
    if row is None:
        return None
    if "share_of_current_leads" in row.model_fields_set:
        value = row.share_of_current_leads
    else:
        value = row.share_of_leads
    return None if value is None else float(value)


def _tiers(
    analysis: Analysis | None,
    lead_tiers: pd.Series,
    deal_tiers: pd.Series | None,
    y: np.ndarray | None,
    cfg: HealthSettings,
    flags: list[Flag],
) -> list[dict[str, Any]]:
    rows = {r.tier: r for r in analysis.tiers} if analysis else {}
    counts = lead_tiers.value_counts()
    n_leads = max(len(lead_tiers), 1)
    out = []
    for tier in TIER_ORDER:
        row = rows.get(tier)
        promised, low, high = promised_rate(row)
        intended = _intended_share(row)
        share = float(counts.get(tier, 0) / n_leads)
        entry: dict[str, Any] = {
            "tier": tier,
            "share": share,
            "intended_share": intended,
            "promised_win_rate": promised,
            "promised_ci": [low, high],
        }
        if intended is not None and len(lead_tiers) and abs(share - intended) > cfg.share_tolerance:
            flags.append(
                Flag(
                    "tier_share",
                    tier,
                    "watch",
                    f"{tier} holds {share:.0%} of open leads; the model intended {intended:.0%}",
                )
            )
        if deal_tiers is not None and y is not None:
            mask = (deal_tiers == tier).to_numpy()
            n, won = int(mask.sum()), int(y[mask].sum())
            entry.update(deals=n, won=won, win_rate=won / n if n else None)
            if n:
                c_low, c_high = wilson_interval(won, n)
                entry["win_rate_ci"] = [c_low, c_high]
                outside = low is not None and high is not None and (c_high < low or c_low > high)
                if n >= cfg.min_tier_deals and outside:
                    flags.append(
                        Flag(
                            "tier_win_rate",
                            tier,
                            "act",
                            f"{tier} won {won / n:.0%} of {n} deals closed since go-live "
                            f"(95% CI {c_low:.0%}-{c_high:.0%}); the model promised "
                            f"{promised:.0%} ({low:.0%}-{high:.0%})",
                        )
                    )
        out.append(entry)
    return out


def _psi(
    reference: HealthReference, scores: pd.DataFrame, flags: list[Flag]
) -> dict[str, dict[str, Any]]:
    out = {}
    for group, ref in reference.scores.items():
        if group not in scores:
            continue
        shares = bin_shares(scores[group].to_numpy(dtype=float), ref.edges)
        value = psi(ref.shares, shares) if len(scores) else None
        out[group] = {"psi": value, "level": level(value), "shares": shares}
        if value is not None and value >= WATCH:
            what = "the total score" if group == "total" else f"the {group} score"
            flags.append(
                Flag(
                    "psi",
                    group,
                    "act" if value >= ACT else "watch",
                    f"PSI of {what} is {value:.2f} against build time "
                    f"({'act' if value >= ACT else 'watch'}: >= {ACT if value >= ACT else WATCH})",
                )
            )
    return out


def _fire_rates(
    rules: Rules,
    reference: HealthReference,
    scored: Any,
    cfg: HealthSettings,
    flags: list[Flag],
) -> dict[str, dict[str, Any]]:
    ref_signals = reference.signals
    ref_n = reference.n
    n = len(scored.fires)
    out = {}
    for s in rules.signals:
        ref = ref_signals.get(s.name)
        fire = float(scored.fires[s.name].mean()) if n else None
        known = float(scored.known[s.name].mean()) if n else None
        entry: dict[str, Any] = {"fire_rate": fire, "known_rate": known}
        if ref is None or fire is None or known is None:
            out[s.name] = entry
            continue
        entry.update(ref_fire_rate=ref.fire_rate, ref_known_rate=ref.known_rate)
        label = s.label or s.name
        fields = ", ".join(dict.fromkeys(s.fields))
        if ref.known_rate - known >= cfg.known_drop:
            flags.append(
                Flag(
                    "known_rate",
                    s.name,
                    "act",
                    f"{fields} is empty for {1 - known:.0%} of the newest leads (was "
                    f"{1 - ref.known_rate:.0%} at build time): '{label}' cannot fire; "
                    "check the enrichment feeding it",
                )
            )
        elif abs(fire - ref.fire_rate) >= cfg.fire_shift and ref_n:
            ref_hits = round(ref.fire_rate * ref_n)
            test = two_proportion_test(round(fire * n), n, int(ref_hits), ref_n)
            if test.p_value < cfg.fire_p_value:
                flags.append(
                    Flag(
                        "fire_rate",
                        s.name,
                        "watch",
                        f"'{label}' fires for {fire:.0%} of the newest leads (was "
                        f"{ref.fire_rate:.0%} at build time)",
                    )
                )
        out[s.name] = entry
    return out


def _unseen(
    reference: HealthReference, leads: pd.DataFrame, cfg: HealthSettings, flags: list[Flag]
) -> list[dict[str, Any]]:
    out = []
    n = max(len(leads), 1)
    for field_name, seen in reference.values.items():
        if field_name not in leads:
            continue
        text = normalise(leads[field_name])
        new = text[~text.isin(list(seen))]
        if new.empty:
            continue
        originals = leads.loc[new.index, field_name].astype(str).str.strip()
        for value, count in new.value_counts().items():
            share = count / n
            shown = originals[new == value].iloc[0]
            entry = {"field": field_name, "value": shown, "leads": int(count), "share": share}
            out.append(entry)
            if count >= cfg.new_value_min_count and share >= cfg.new_value_min_share:
                severity = "act" if share >= cfg.new_value_rebuild_share else "watch"
                flags.append(
                    Flag(
                        "unseen_value",
                        f"{field_name}={shown}",
                        severity,
                        f"{field_name} '{shown}' is new to the model: {count:,} open leads "
                        f"({share:.0%})",
                    )
                )
    return out


def _auc(y: np.ndarray, total: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score

    if len(set(y.tolist())) < 2:
        return None
    return float(roc_auc_score(y, total))


def check_health(
    rules: Rules,
    analysis: Analysis | None,
    leads: pd.DataFrame,
    deals: pd.DataFrame | None = None,
    y: np.ndarray | None = None,
    *,
    recent: np.ndarray | None = None,
    now: datetime,
    settings: HealthSettings | None = None,
) -> HealthReport:
    """Check the live model on the open ``leads`` and on the ``deals`` (outcomes ``y``: 1 won)
    closed since it went live. ``recent`` marks the leads new since the last check (their fire
    rates are compared; all leads when too few are marked)."""
    cfg = settings or HealthSettings()
    reference = analysis.health_reference if analysis else None
    report = HealthReport(
        model_version=rules.version,
        checked_at=now.isoformat(timespec="seconds"),
        leads_n=len(leads),
        deals_n=0 if deals is None else len(deals),
    )
    flags = report.flags
    if reference is None:
        report.notes.append(
            "analysis.json has no health_reference (built before it was recorded): score shift, "
            "fire rates and unseen values are not checked; rebuild to record them."
        )
    lead_scores = score_frame(rules, leads)
    deal_tiers = None
    y_arr = None
    if deals is not None and y is not None and len(deals):
        y_arr = np.asarray(y, dtype=int)
        deal_scores = score_frame(rules, deals).scores
        deal_tiers = deal_scores["tier"]
        report.auc = _auc(y_arr, deal_scores["total"].to_numpy(dtype=float))
    report.tiers = _tiers(analysis, lead_scores.scores["tier"], deal_tiers, y_arr, cfg, flags)
    if reference is not None:
        report.psi = _psi(reference, lead_scores.scores, flags)
        fire_on = lead_scores
        if recent is not None and int(np.sum(recent)) >= cfg.min_recent_leads:
            fire_on = score_frame(rules, leads.loc[np.asarray(recent, dtype=bool)])
        rates = _fire_rates(rules, reference, fire_on, cfg, flags)
        report.unseen = _unseen(reference, leads, cfg, flags)
    else:
        rates = {}
    lifts: dict[str, SignalLift] = {}
    if deal_tiers is not None and y_arr is not None:
        measured = measure_lifts(rules, deals, y_arr, model_lifts(rules, analysis))
        lifts = {m.name: m for m in measured}
        for m in measured:
            if m.decayed:
                flags.append(
                    Flag(
                        "decay",
                        m.name,
                        "act",
                        f"'{m.label}' no longer predicts winning: lift {m.new_lift:.2f} on "
                        f"{m.n_present} new deals (p = {m.p_value:.2f}); the model has "
                        f"{m.old_lift:.2f}",
                    )
                )
    for s in rules.signals:
        entry: dict[str, Any] = {
            "name": s.name,
            "label": s.label or s.name,
            "dimension": s.dimension,
        }
        entry.update(rates.get(s.name, {}))
        if s.name in lifts:
            m = lifts[s.name]
            entry.update(
                old_lift=m.old_lift,
                new_lift=m.new_lift,
                deals_fired=m.n_present,
                p_value=m.p_value,
                decayed=m.decayed,
            )
        report.signals.append(entry)
    report.triggers = rebuild_triggers(
        analysis, report.tiers, report.unseen, report.auc, report.deals_n, cfg, flags
    )
    return report
