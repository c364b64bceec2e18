"""Run the ``leadscore`` entry point in-process and write small leads files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli import invoke

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_RULES = REPO / "rules" / "example.yaml"

LEADS_CSV = """lead_id,company,contact_name,contact_title,industry,employee_count,demo_requested,pricing_page_visits,email_clicks,stakeholders,intent_topic_surge,review_site_activity,careers_page_only,notes
007,Acme Health,Ann Lee,CTO,Healthcare,500,yes,4,3,4,yes,yes,no,"keeps, commas"
008,Beta Retail,Bo Chan,Analyst,Retail,50,no,0,0,1,no,no,yes,N/A
009,Gamma Soft,Cy Diaz,Student,Software,,no,1,,,,,no,
010,Delta Care,Di Eze,VP Sales,Healthcare,300,yes,1,2,3,no,no,no,x
"""


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Run:
    """Call ``leadscore ARGS`` as the console script would (tests/cli.py); return exit code and
    output."""
    result = invoke(*args)
    return Run(code=result.code, out=result.stdout, err=result.stderr)
