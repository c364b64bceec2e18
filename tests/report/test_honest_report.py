"""Issue 10 in the report: caps stated, deductions in their own dimension, capacity column,
no raw floats, no claim the model does not implement."""

from __future__ import annotations

import re
from typing import Any

from service.report.document import render_report
from tests.report.analysis import at, find, modified
from tests.report.test_document import points

#: the subsection of Section 3 that lists each dimension's signals
DIMENSION_SECTIONS = {
    "firmographic": "3.1",
    "behavioral": "3.2",
    "engagement": "3.3",
    "intent": "3.4",
}


def subsection(text: str, number: str, end: str) -> str:
    """The text of ``### {number}`` up to the next ``end`` heading."""
    return text.split(f"### {number}")[1].split(end)[0]


class TestSignalsAsShown:
    """Points are shown with the cap that held them down and deductions as deductions."""

    def test_capped_signal_states_its_cap(self, built_analysis: Any) -> None:
        """A signal held to the share cap shows the points its fit earned."""
        capped = [
            s
            for s in at(built_analysis, "signals")
            if at(s, "points_uncapped", None) not in (None, at(s, "points"))
        ]
        assert capped  # the sample build holds its strongest signals to the cap
        text = render_report(built_analysis)
        for s in capped:
            section = subsection(text, DIMENSION_SECTIONS[at(s, "dimension")], "###")
            assert (
                f"| {at(s, 'label')} | {points(at(s, 'points'))} (capped from "
                f"{points(at(s, 'points_uncapped'))}: no signal may exceed 35% of the positive "
                "maximum) |" in section
            )

    def test_deduction_is_listed_in_its_own_dimension(self, built_analysis: Any) -> None:
        """A negative signal from an engagement field reads as an engagement deduction."""
        deduction = find(built_analysis, "signals", dimension="negative")
        source = at(deduction, "source_dimension")
        text = render_report(built_analysis)
        section = subsection(text, "3.5", "## Section 4")
        assert f"| {source.capitalize()} (deduction) |" in section and "| Negative |" not in section
        listed = subsection(text, DIMENSION_SECTIONS[source], "###")
        assert f"| {at(deduction, 'label')} | {points(at(deduction, 'points'))} (deduction) |" in (
            listed
        )


class TestCapacity:
    """4.4 with a capacity config: the spec's column and no raw floats."""

    def test_rep_capacity_required_column_and_plain_numbers(self, planted_analysis: Any) -> None:
        """Each tier's monthly volume and rep-weeks follow from its share and the configured
        volume; the utilisation reads as a percentage."""
        capacity = at(planted_analysis, "capacity")
        # the build's own figures carry float noise (29.333333333333332 Hot and Warm a week)
        assert re.search(r"\d\.\d{5,}", repr(at(capacity, "hot_warm_per_week")))
        text = render_report(planted_analysis)
        section = subsection(text, "4.4", "## Section 5")
        assert (
            "| Tier | Target % of Leads | Expected Monthly Volume | Rep Capacity Required |"
            in section
        )
        hot = find(planted_analysis, "tiers", tier="Hot")
        # share of the leads x new leads a week x 52/12 weeks a month, over leads a rep works a week
        monthly = at(hot, "share_of_leads") * at(capacity, "new_leads_per_week") * 52 / 12
        rep_weeks = monthly / at(capacity, "leads_per_rep_per_week")
        assert monthly > 0
        assert (
            f"| Hot | {at(hot, 'share_of_leads') * 100:.0f}% | {monthly:.0f} leads/month | "
            f"{rep_weeks:.1f} rep-weeks/month |" in section
        )
        assert "| Cold |" in section and "0 (marketing only)" in section
        assert not re.search(r"\d\.\d{5,}", section)
        assert f"Utilisation: {at(capacity, 'utilisation') * 100:.0f}%" in section


class TestNoUnimplementedClaims:
    """The report promises exactly the time decay the rules file sets (Rule 5), no other."""

    def test_no_lapse_when_the_rules_set_none(self, built_analysis: Any) -> None:
        """Rules without ``stale_after_days`` windows: no lapse is claimed."""
        assert at(built_analysis, "transitions.stale_after_days")  # the sample's rules set some
        text = render_report(modified(built_analysis, "transitions.stale_after_days", {}))
        assert "points lapse" not in text and "lowers the engagement subtotal" not in text
        assert "Points do not lapse with time" in text

    def test_the_lapse_the_rules_set(self, built_analysis: Any) -> None:
        """Sections 4.3 and 5.2 name each dimension's window and the SLA hours as given."""
        analysis = modified(
            built_analysis,
            "transitions",
            {"stale_after_days": {"engagement": 14, "intent": 60}, "sla_hours": {"Hot": 2}},
        )
        text = render_report(analysis)
        section = subsection(text, "4.3", "### 4.4")
        assert "Engagement points lapse after 14 days with no activity" in section
        assert "Intent points lapse after 60 days" in section
        assert "Behavioral points" not in text
        assert "the 2-hour SLA clock starts" in text.split("### 5.2")[1]
