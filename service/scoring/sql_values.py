"""How a lead's field value is read inside SQL, exactly as ``service.data.io`` reads a file.

The engine cleans a text column before scoring (``io._clean_column``): whitespace stripped (the
characters Python's ``str.strip`` removes), placeholders (``Select``, ``N/A``, ``-``, empty ...)
made missing, except ``NA`` in a column of short upper-case codes (North America), and the
column read as numbers when every value left is a number (``service.data.numbers``: ``NUMBER_PATTERN``,
the thousands separators removed). Two of those decisions look at the whole
column, so the SQL computes them once over the table (``column_kinds``) and every row reads them.

Every expression here is a sqlglot node; field names are quoted identifiers and values literals.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from service.data.io import PLACEHOLDERS
from service.data.numbers import NUMBER_PATTERN, SEPARATOR

#: what ``str.strip()`` removes (checked against pandas by a test)
WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
#: ``io._is_code_column``: short upper-case codes, where ``NA`` is a value, not a placeholder
CODE_PATTERN = "^[A-Z]{2,5}$"


def lit(value: str | int) -> exp.Expr:
    return exp.Literal.string(value) if isinstance(value, str) else exp.Literal.number(value)


def col(name: str, table: str) -> exp.Column:
    return exp.column(name, table=table, quoted=True)


def double(value: float) -> exp.Expr:
    """A DOUBLE literal equal to the Python float (``repr`` round-trips it)."""
    if value != value:  # NaN: never equal to anything, as in pandas
        return exp.Null()
    if value in (float("inf"), float("-inf")):
        text = "Infinity" if value > 0 else "-Infinity"
        return exp.cast(exp.Literal.string(text), exp.DataType.Type.DOUBLE)
    return exp.cast(exp.Literal.number(repr(float(value))), exp.DataType.Type.DOUBLE)


def is_in(this: exp.Expr, values: list[exp.Expr]) -> exp.Expr:
    if not values:
        return exp.false()
    return exp.In(this=this, expressions=values)


def matches(this: exp.Expr, pattern: str) -> exp.Expr:
    return exp.RegexpLike(this=this, expression=exp.Literal.string(pattern))


def one_if(condition: exp.Expr) -> exp.Expr:
    """``CASE WHEN condition THEN 1 ELSE 0 END``: NULL counts as false."""
    return exp.Case(ifs=[exp.If(this=condition, true=lit(1))], default=lit(0))


#: a value that starts or ends with whitespace
PADDED_PATTERN = f"^[{WHITESPACE}]|[{WHITESPACE}]$"


def stripped(source: exp.Expr) -> exp.Expr:
    """The value as text without surrounding whitespace (NULL stays NULL). TRIM with a set of
    characters is slow, and most values are not padded: only those starting or ending with
    whitespace are trimmed."""
    text = exp.cast(source, exp.DataType.Type.VARCHAR)
    trimmed = exp.Trim(this=text.copy(), expression=exp.Literal.string(WHITESPACE))
    padded = matches(text.copy(), PADDED_PATTERN)
    return exp.Case(ifs=[exp.If(this=padded, true=trimmed)], default=text)


def is_placeholder(text: exp.Expr) -> exp.Expr:
    return is_in(exp.Lower(this=text), [lit(p) for p in sorted(PLACEHOLDERS)])


@dataclass(frozen=True)
class FieldNames:
    """The names for one field (by its position, so any field name is safe)."""

    index: int

    @property
    def values(self) -> str:  # CTE: the distinct values, as text and stripped
        return f"_ls_values_{self.index}"

    @property
    def kinds(self) -> str:  # CTE: one row, is NA a code, is the column numeric
        return f"_ls_kinds_{self.index}"

    @property
    def lookup(self) -> str:  # CTE: per distinct value, each condition's fires and known
        return f"_ls_lookup_{self.index}"

    @property
    def alias(self) -> str:  # the lookup joined to the leads
        return f"_ls_f{self.index}"


def value_ctes(
    name: str,
    names: FieldNames,
    leads: exp.Table,
    conditions: list[tuple[str, exp.Expr, exp.Expr]],
) -> list[tuple[str, exp.Select]]:
    """Three CTEs that read one field as ``service.data.io`` does, on its distinct values only.

    ``conditions`` are ``(name, fires, known)`` over the columns ``v`` (the text, placeholders
    NULL), ``n`` (the number), ``l`` (the text lower-cased) and ``num`` (1: a numeric column) of
    table ``x``; the lookup holds each as 0/1 per distinct value, to be joined to the leads on
    ``raw``. Both column-wide decisions (``NA`` as a code, a numeric column) depend only on the
    set of distinct values, which is what the ``kinds`` CTE reads.
    """
    raw = exp.cast(col(name, "t"), exp.DataType.Type.VARCHAR)
    distinct = exp.select(exp.alias_(raw, "raw")).distinct().from_(leads.copy()).subquery("u")
    values = exp.select(
        col("raw", "u"), exp.alias_(stripped(col("raw", "u")), "st", quoted=True)
    ).from_(distinct)

    st = col("st", "u")
    ph = is_placeholder(st)
    aggregates = exp.select(
        exp.alias_(exp.Max(this=one_if(exp.EQ(this=st, expression=lit("NA")))), "has_na"),
        exp.alias_(
            exp.Count(this=exp.Case(ifs=[exp.If(this=exp.Not(this=ph), true=lit(1))])), "kept"
        ),
        exp.alias_(
            exp.Min(
                this=exp.Case(
                    ifs=[exp.If(this=exp.Not(this=ph), true=one_if(matches(st, CODE_PATTERN)))]
                )
            ),
            "codes",
        ),
        exp.alias_(
            exp.Min(
                this=one_if(
                    exp.or_(exp.Is(this=st, expression=exp.Null()), ph, matches(st, NUMBER_PATTERN))
                )
            ),
            "numbers",
        ),
    ).from_(exp.to_table(names.values, quoted=True).as_("u", quoted=True))
    code = exp.and_(
        exp.EQ(this=col("has_na", "a"), expression=lit(1)),
        exp.GT(this=col("kept", "a"), expression=lit(0)),
        exp.EQ(this=col("codes", "a"), expression=lit(1)),
    )
    numeric = exp.and_(
        exp.EQ(this=col("numbers", "a"), expression=lit(1)), exp.Not(this=exp.paren(code))
    )
    kinds = exp.select(
        exp.alias_(one_if(code), "code", quoted=True),
        exp.alias_(one_if(numeric), "num", quoted=True),
    ).from_(aggregates.subquery("a"))

    st = col("st", "s")
    keep_na = exp.and_(
        exp.EQ(this=st, expression=lit("NA")), exp.EQ(this=col("code", "k"), expression=lit(1))
    )
    drop = exp.and_(is_placeholder(st), exp.Not(this=exp.paren(keep_na)))
    text = exp.select(
        col("raw", "s"),
        exp.alias_(exp.Case(ifs=[exp.If(this=drop, true=exp.Null())], default=st.copy()), "v"),
        col("num", "k"),
    ).from_(exp.to_table(names.values, quoted=True).as_("s", quoted=True))
    text = text.join(
        exp.to_table(names.kinds, quoted=True).as_("k", quoted=True), join_type="cross"
    )
    v = col("v", "w")
    plain = exp.func("REPLACE", v.copy(), lit(SEPARATOR), lit(""))  # 5,000 is 5000
    number = exp.Case(
        ifs=[
            exp.If(this=matches(v, NUMBER_PATTERN), true=exp.cast(plain, exp.DataType.Type.DOUBLE))
        ]
    )
    parsed = exp.select(
        col("raw", "w"),
        col("v", "w"),
        col("num", "w"),
        exp.alias_(number, "n", quoted=True),
        exp.alias_(exp.Lower(this=v.copy()), "l", quoted=True),
    ).from_(text.subquery("w"))
    columns: list[exp.Expr] = [col("raw", "x")]
    for cname, fires, known in conditions:
        columns += [
            exp.alias_(one_if(exp.and_(known, fires)), f"f_{cname}", quoted=True),
            exp.alias_(one_if(known), f"k_{cname}", quoted=True),
        ]
    lookup = exp.select(*columns).from_(parsed.subquery("x"))
    return [(names.values, values), (names.kinds, kinds), (names.lookup, lookup)]
