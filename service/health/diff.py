"""What changed between two rules files: signals added, removed, re-pointed, thresholds, caps."""

from __future__ import annotations

from dataclasses import dataclass, field

from service.scoring.rules import Rules


@dataclass
class RulesDiff:
    """The differences of ``b`` against ``a``, each as a line an analyst reads."""

    a: str
    b: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    repointed: list[str] = field(default_factory=list)
    redefined: list[str] = field(default_factory=list)
    thresholds: list[str] = field(default_factory=list)
    caps: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(
            (self.added, self.removed, self.repointed, self.redefined, self.thresholds, self.caps)
        )

    def lines(self) -> list[str]:
        out = [f"{self.a} -> {self.b}"]
        for title, items in (
            ("signals added", self.added),
            ("signals removed", self.removed),
            ("signals re-pointed", self.repointed),
            ("signals with new conditions", self.redefined),
            ("thresholds", self.thresholds),
            ("dimension caps", self.caps),
        ):
            if items:
                out.append(f"{title}:")
                out += [f"  {line}" for line in items]
        if self.empty:
            out.append("no differences in signals, points, thresholds or caps")
        return out


def diff_rules(a: Rules, b: Rules) -> RulesDiff:
    """Compare two rules files signal by signal (matched by name)."""
    out = RulesDiff(a.version, b.version)
    old = {s.name: s for s in a.signals}
    new = {s.name: s for s in b.signals}
    for name, s in new.items():
        if name not in old:
            out.added.append(f"+ {s.label or name} ({s.dimension}, {s.points:+d})")
    for name, s in old.items():
        if name not in new:
            out.removed.append(f"- {s.label or name} ({s.dimension}, {s.points:+d})")
    for name in old.keys() & new.keys():
        o, n = old[name], new[name]
        if o.points != n.points or o.dimension != n.dimension:
            where = "" if o.dimension == n.dimension else f", {o.dimension} -> {n.dimension}"
            out.repointed.append(f"{n.label or name}: {o.points:+d} -> {n.points:+d}{where}")
        if o.when != n.when:
            out.redefined.append(f"{n.label or name}")
    out.repointed.sort()
    out.redefined.sort()
    for tier in ("hot", "warm", "cool"):
        x, y = getattr(a.thresholds, tier), getattr(b.thresholds, tier)
        if x != y:
            out.thresholds.append(f"{tier.capitalize()} >= {x:g} -> >= {y:g}")
    dims = sorted(set(a.dimensions) | set(b.dimensions))
    for d in dims:
        x = a.dimensions[d].max_points if d in a.dimensions else 0
        y = b.dimensions[d].max_points if d in b.dimensions else 0
        if x != y:
            out.caps.append(f"{d} max {x} -> {y}")
    if a.negative_max_points != b.negative_max_points:
        out.caps.append(f"negative max {a.negative_max_points} -> {b.negative_max_points}")
    return out
