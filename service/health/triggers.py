"""The rebuild triggers of Section 6.4, measured on a health check's figures."""

from __future__ import annotations

from typing import Any

from service.health.report import Flag, HealthSettings
from service.model.analysis_schema import Analysis


def _auc_target(analysis: Analysis | None) -> float:
    for t in analysis.validation.targets if analysis else []:
        if t.metric == "auc":
            return float(t.target)
    return 0.70


def rebuild_triggers(
    analysis: Analysis | None,
    tiers: list[dict[str, Any]],
    unseen: list[dict[str, Any]],
    auc: float | None,
    deals_n: int,
    cfg: HealthSettings,
    flags: list[Flag],
) -> list[dict[str, Any]]:
    """The Section 6.4 rebuild triggers, each with whether it fired and why."""
    out = []
    target = _auc_target(analysis)
    fired = auc is not None and deals_n >= cfg.min_deals_for_auc and auc < target
    out.append(
        {
            "trigger": "accuracy below target",
            "fired": fired,
            "detail": "too few new deals with both outcomes"
            if auc is None or deals_n < cfg.min_deals_for_auc
            else f"AUC {auc:.2f} on {deals_n} new deals (target {target:.2f})",
        }
    )
    hot = next((t for t in tiers if t["tier"] == "Hot"), {})
    promised = hot.get("promised_win_rate")
    rate, n = hot.get("win_rate"), hot.get("deals", 0)
    fired = (
        promised is not None
        and rate is not None
        and n >= cfg.min_tier_deals
        and rate < promised / 2
    )
    out.append(
        {
            "trigger": "Hot win rate below half the original",
            "fired": fired,
            "detail": "too few Hot deals closed yet"
            if rate is None or n < cfg.min_tier_deals or promised is None
            else f"Hot won {rate:.0%} of {n} deals; half the original is {promised / 2:.0%}",
        }
    )
    big = [u for u in unseen if u["share"] >= cfg.new_value_rebuild_share]
    out.append(
        {
            "trigger": "new source or segment at 10%+ of leads",
            "fired": bool(big),
            "detail": ", ".join(f"{u['field']} '{u['value']}' {u['share']:.0%}" for u in big)
            or "none",
        }
    )
    trained = analysis.won + analysis.lost if analysis else 0
    fired = bool(trained) and deals_n > trained
    out.append(
        {
            "trigger": "more new closed deals than the model was trained on",
            "fired": fired,
            "detail": f"{deals_n} new deals vs {trained} in training",
        }
    )
    for t in out:
        if t["fired"]:
            name = str(t["trigger"])
            flags.append(
                Flag(
                    "rebuild",
                    name,
                    "act",
                    f"rebuild trigger: {t['trigger']} ({t['detail']})",
                )
            )
    return out
