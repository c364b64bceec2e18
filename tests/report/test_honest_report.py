"""Issue 10 in the report: caps stated, deductions in their own dimension, capacity column,
no raw floats, no claim the model does not implement."""

from __future__ import annotations

import re

from service.report.document import render_report
from tests.report.test_document import _analysis


class TestSignalsAsShown:
    """Points are shown with the cap that held them down and deductions as deductions."""

    def test_capped_signal_states_its_cap(self):
        """A signal held to the share cap shows the points its fit earned."""
        analysis = _analysis()
        analysis["signals"][0]["points_uncapped"] = 50
        text = render_report(analysis)
        assert "| +18 (capped from +50: no signal may exceed 35% of the positive maximum) |" in text

    def test_deduction_is_listed_in_its_own_dimension(self):
        """A negative signal from a behavioral field reads as a behavioral deduction."""
        analysis = _analysis()
        analysis["signals"][1]["source_dimension"] = "behavioral"
        text = render_report(analysis)
        section = text.split("### 3.5")[1].split("## Section 4")[0]
        assert "| Behavioral (deduction) |" in section and "| Negative |" not in section
        behavioral = text.split("### 3.2")[1].split("### 3.3")[0]
        assert "| Visited the careers page only | −7 (deduction) |" in behavioral


class TestCapacity:
    """4.4 with a capacity config: the spec's column and no raw floats."""

    def test_rep_capacity_required_column_and_plain_numbers(self):
        analysis = _analysis()
        analysis["capacity"] = {
            "reps": 4,
            "leads_per_rep_per_week": 25,
            "capacity_per_week": 100,
            "new_leads_per_week": 120,
            "hot_share": 0.12,
            "hot_warm_share": 0.37,
            "hot_per_week": 14.399999999999999,
            "hot_warm_per_week": 44.400000000000006,
            "utilisation": 0.42800000000000005,
            "ok": True,
            "message": "44 Hot and Warm leads a week fit the reps' 100 (44% of capacity).",
        }
        text = render_report(analysis)
        section = text.split("### 4.4")[1].split("## Section 5")[0]
        assert (
            "| Tier | Target % of Leads | Expected Monthly Volume | Rep Capacity Required |"
            in section
        )
        # Hot: 12% of 120 a week = 62.4 leads a month, at 25 a rep-week = 2.5 rep-weeks
        assert "| Hot | 12% | 62 leads/month | 2.5 rep-weeks/month |" in section
        assert "| Cold | 33% |" in section and "0 (marketing only)" in section
        assert not re.search(r"\d\.\d{5,}", section)
        assert "Utilisation: 43%" in section


class TestNoUnimplementedClaims:
    """The report promises exactly the time decay the rules file sets (Rule 5), no other."""

    def test_no_lapse_when_the_rules_set_none(self):
        """Rules without ``stale_after_days`` windows: no lapse is claimed."""
        text = render_report({**_analysis(), "transitions": {"stale_after_days": {}}})
        assert "points lapse" not in text and "lowers the engagement subtotal" not in text
        assert "Points do not lapse with time" in text

    def test_the_lapse_the_rules_set(self):
        """Sections 4.3 and 5.2 name each dimension's window and the SLA hours as given."""
        analysis = {
            **_analysis(),
            "transitions": {
                "stale_after_days": {"engagement": 14, "intent": 60},
                "sla_hours": {"Hot": 2},
            },
        }
        text = render_report(analysis)
        section = text.split("### 4.3")[1].split("### 4.4")[0]
        assert "Engagement points lapse after 14 days with no activity" in section
        assert "Intent points lapse after 60 days" in section
        assert "Behavioral points" not in text
        assert "the 2-hour SLA clock starts" in text.split("### 5.2")[1]
