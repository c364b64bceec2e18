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


def stripped_columns(fields: dict[str, FieldNames], table: str) -> list[exp.Expr]:
    """``st_i`` for each field: computed once, read by every later step."""
    return [
        exp.alias_(stripped(col(name, table)), names.stripped) for name, names in fields.items()
    ]


def is_placeholder(text: exp.Expr) -> exp.Expr:
    return is_in(exp.Lower(this=text), [lit(p) for p in sorted(PLACEHOLDERS)])


@dataclass(frozen=True)
class FieldNames:
    """The helper columns for one field (by its position, so any field name is safe)."""

    index: int

    @property
    def stripped(self) -> str:  # the value as text, whitespace stripped
        return f"_ls_st_{self.index}"

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
    """One row: per field, whether ``NA`` is a code and whether the column is numeric.

    Both depend only on the set of distinct values, so each field is read as ``SELECT DISTINCT``
    (a few hundred values where the table has millions of rows)."""
    outer: list[exp.Expr] = []
    query: exp.Select | None = None
    for name, names in fields.items():
        i = names.index
        st = exp.column("st", table="u", quoted=True)
        ph = is_placeholder(st)
        aggregates = [
            exp.alias_(exp.Max(this=one_if(exp.EQ(this=st, expression=lit("NA")))), "has_na"),
            exp.alias_(
                exp.Count(this=exp.Case(ifs=[exp.If(this=exp.Not(this=ph), true=lit(1))])),
                "values",
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
                        exp.or_(
                            exp.Is(this=st, expression=exp.Null()), ph, matches(st, NUMBER_PATTERN)
                        )
                    )
                ),
                "numbers",
            ),
        ]
        distinct = (
            exp.select(exp.alias_(stripped(col(name, "t")), "st"))
            .distinct()
            .from_(source.copy())
            .subquery("u")
        )
        one = exp.select(*aggregates).from_(distinct).subquery(f"a{i}")
        query = exp.select().from_(one) if query is None else query.join(one, join_type="cross")
        a = f"a{i}"
        code = exp.and_(
            exp.EQ(this=col("has_na", a), expression=lit(1)),
            exp.GT(this=col("values", a), expression=lit(0)),
            exp.EQ(this=col("codes", a), expression=lit(1)),
        )
        numeric = exp.and_(
            exp.EQ(this=col("numbers", a), expression=lit(1)), exp.Not(this=exp.paren(code))
        )
        outer += [exp.alias_(one_if(code), names.code), exp.alias_(one_if(numeric), names.numeric)]
    assert query is not None
    return query.select(*outer).subquery(alias)


def cleaned(names: FieldNames, kinds: str | None, layer: str) -> list[exp.Expr]:
    """``v_i``: the stripped text with placeholders NULL (``NA`` kept in a code column)."""
    st = col(names.stripped, layer)
    drop = is_placeholder(st)
    if kinds is not None:
        keep_na = exp.and_(
            exp.EQ(this=st, expression=lit("NA")),
            exp.EQ(this=col(names.code, kinds), expression=lit(1)),
        )
        drop = exp.and_(drop, exp.Not(this=exp.paren(keep_na)))
    value = exp.Case(ifs=[exp.If(this=drop, true=exp.Null())], default=st)
    return [exp.alias_(value, names.text)]


def parsed(names: FieldNames, layer: str, *, per_value: bool) -> list[exp.Expr]:
    """``n_i`` (the number, when the text is one) and ``l_i`` (the text lower-cased).

    In a numeric column every value is a number; in a text column only a range reads numbers
    (``per_value``), one value at a time as ``pandas.to_numeric(errors="coerce")`` does."""
    text = col(names.text, layer)
    number = exp.cast(text, exp.DataType.Type.DOUBLE)
    numeric = exp.EQ(this=col(names.numeric, "k"), expression=lit(1))
    ifs = [exp.If(this=numeric, true=number)]
    if per_value:
        ifs.append(exp.If(this=matches(text.copy(), NUMBER_PATTERN), true=number.copy()))
    number = exp.Case(ifs=ifs)
    return [exp.alias_(number, names.number), exp.alias_(exp.Lower(this=text), names.lower)]
