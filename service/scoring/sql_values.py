"""How a lead's field value is read inside SQL, exactly as ``service.data.io`` reads a file.

The engine cleans a text column before scoring (``io._clean_column``): whitespace stripped (the
characters Python's ``str.strip`` removes), placeholders (``Select``, ``N/A``, ``-``, empty ...)
made missing, except ``NA`` in a column of short upper-case codes (North America), and the
column read as numbers when every value left is a number. Two of those decisions look at the whole
column, so the SQL computes them once over the table (``column_kinds``) and every row reads them.

Every expression here is a sqlglot node; field names are quoted identifiers and values literals.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from service.data.io import PLACEHOLDERS

#: what ``str.strip()`` removes (checked against pandas by a test)
WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
#: the text ``pandas.to_numeric`` reads as a number (checked against pandas by a test)
NUMBER_PATTERN = (
    "^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$"
)
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


def stripped(source: exp.Expr) -> exp.Expr:
    """The value as text without surrounding whitespace (NULL stays NULL)."""
    text = exp.cast(source, exp.DataType.Type.VARCHAR)
    return exp.Trim(this=text, expression=exp.Literal.string(WHITESPACE))


def is_placeholder(text: exp.Expr) -> exp.Expr:
    return is_in(exp.Lower(this=text), [lit(p) for p in sorted(PLACEHOLDERS)])


@dataclass(frozen=True)
class FieldNames:
    """The helper columns for one field (by its position, so any field name is safe)."""

    index: int

    @property
    def code(self) -> str:  # 1: "NA" is a value in this column
        return f"_ls_na_{self.index}"

    @property
    def numeric(self) -> str:  # 1: the column is read as numbers
        return f"_ls_num_{self.index}"

    @property
    def text(self) -> str:  # stripped text, placeholders NULL
        return f"_ls_v_{self.index}"

    @property
    def number(self) -> str:  # the value as a number, NULL when it is not one
        return f"_ls_n_{self.index}"

    @property
    def lower(self) -> str:  # the text lower-cased, for case-insensitive comparisons
        return f"_ls_l_{self.index}"


def column_kinds(fields: dict[str, FieldNames], source: exp.Expr, alias: str) -> exp.Expr:
    """One row: per field, whether ``NA`` is a code and whether the column is numeric."""
    inner: list[exp.Expr] = []
    outer: list[exp.Expr] = []
    for name, names in fields.items():
        st = stripped(col(name, "t"))
        ph = is_placeholder(st)
        i = names.index
        inner += [
            exp.alias_(exp.Max(this=one_if(exp.EQ(this=st, expression=lit("NA")))), f"_ls_a{i}"),
            exp.alias_(
                exp.Count(this=exp.Case(ifs=[exp.If(this=exp.Not(this=ph), true=lit(1))])),
                f"_ls_c{i}",
            ),
            exp.alias_(
                exp.Min(
                    this=exp.Case(
                        ifs=[exp.If(this=exp.Not(this=ph), true=one_if(matches(st, CODE_PATTERN)))]
                    )
                ),
                f"_ls_o{i}",
            ),
            exp.alias_(
                exp.Min(
                    this=one_if(
                        exp.or_(
                            exp.Is(this=st, expression=exp.Null()), ph, matches(st, NUMBER_PATTERN)
                        )
                    )
                ),
                f"_ls_m{i}",
            ),
        ]
        code = exp.and_(
            exp.EQ(this=col(f"_ls_a{i}", "a"), expression=lit(1)),
            exp.GT(this=col(f"_ls_c{i}", "a"), expression=lit(0)),
            exp.EQ(this=col(f"_ls_o{i}", "a"), expression=lit(1)),
        )
        outer += [
            exp.alias_(one_if(code), names.code),
            exp.alias_(
                one_if(
                    exp.and_(
                        exp.EQ(this=col(f"_ls_m{i}", "a"), expression=lit(1)),
                        exp.Not(this=exp.paren(code)),
                    )
                ),
                names.numeric,
            ),
        ]
    aggregates = exp.select(*inner).from_(source)
    return exp.select(*outer).from_(aggregates.subquery("a")).subquery(alias)


def cleaned(name: str, names: FieldNames, kinds: str | None) -> list[exp.Expr]:
    """``v_i``: the stripped text with placeholders NULL (``NA`` kept in a code column)."""
    st = stripped(col(name, "t"))
    drop = is_placeholder(st)
    if kinds is not None:
        keep_na = exp.and_(
            exp.EQ(this=st, expression=lit("NA")),
            exp.EQ(this=col(names.code, kinds), expression=lit(1)),
        )
        drop = exp.and_(drop, exp.Not(this=exp.paren(keep_na)))
    value = exp.Case(ifs=[exp.If(this=drop, true=exp.Null())], default=st)
    return [exp.alias_(value, names.text)]


def parsed(names: FieldNames, layer: str) -> list[exp.Expr]:
    """``n_i`` (the number, when the text is one) and ``l_i`` (the text lower-cased)."""
    text = col(names.text, layer)
    number = exp.Case(
        ifs=[
            exp.If(
                this=matches(text, NUMBER_PATTERN),
                true=exp.cast(text, exp.DataType.Type.DOUBLE),
            )
        ]
    )
    return [exp.alias_(number, names.number), exp.alias_(exp.Lower(this=text), names.lower)]
