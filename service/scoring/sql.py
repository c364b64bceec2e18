"""The rules compiled to one SQL statement that scores leads where they live.

``compile_rules`` builds one sqlglot expression tree from the rules models and generates it for a
dialect (DuckDB, PostgreSQL, Spark, Databricks, Snowflake, BigQuery): every identifier is quoted
and every value is a literal, so no field name or value is ever pasted into SQL text.

The statement returns every column of the table plus the ``Lead_Score_*`` columns, computed as the
Python engine computes them (``service.scoring.engine``, the reference; tests compare the two row
for row). Its shape, read top to bottom::

    SELECT t.*, o.Lead_Score_Total, ...
    FROM leads AS t
    CROSS JOIN (one row: per field, is NA a code, is the column numeric) AS k
    CROSS JOIN LATERAL (per field: the text, whitespace stripped)      AS c
    CROSS JOIN LATERAL (per field: the text, placeholders NULL)        AS v
    CROSS JOIN LATERAL (per field: the number and the lower-cased text) AS n
    CROSS JOIN LATERAL (per signal: fired 0/1, known 0/1)              AS s
    CROSS JOIN LATERAL (per dimension: raw points; missing weight; texts) AS d
    CROSS JOIN LATERAL (the Lead_Score_* values)                      AS o

BigQuery has no ``LATERAL``: there each layer is ``CROSS JOIN UNNEST([STRUCT(...)])``, the same
expressions. Cleaning follows ``service.scoring.sql_values``; a field the rules read must be a
column of the table (the engine would count such a signal as missing for every lead).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlglot import ErrorLevel, exp

from service.errors import InputError
from service.scoring.batch import LEAD_SCORE_COLUMNS
from service.scoring.conditions import TRUE_TEXT, canonical_text, number_value
from service.scoring.engine import UNSCOREABLE
from service.scoring.factors import SEPARATOR, factor_text
from service.scoring.rules import (
    DIMENSIONS,
    Condition,
    FieldIn,
    FieldNotIn,
    Flag,
    Missing,
    Range,
    Rules,
)
from service.scoring.sql_values import (
    FieldNames,
    col,
    double,
    is_in,
    lit,
    one_if,
    value_ctes,
)

DIALECTS = ("duckdb", "postgres", "spark", "databricks", "snowflake", "bigquery")
TOP_N = 3


@dataclass(frozen=True)
class SqlOptions:
    """Where the leads are and what the statement returns."""

    table: str = "leads"
    #: ``CREATE OR REPLACE VIEW view AS ...`` instead of a plain ``SELECT``
    view: str | None = None
    #: return only this column and the ``Lead_Score_*`` columns (for a reverse-ETL sync)
    id_column: str | None = None


def table_name(dotted: str, option: str = "--table") -> exp.Table:
    """``schema.table`` (or ``catalog.schema.table``) as quoted identifiers, never as SQL text."""
    parts = dotted.split(".")
    if not 1 <= len(parts) <= 3 or any(not p.strip() for p in parts):
        raise InputError(
            f"{option} {dotted!r}: give a table name, optionally with its schema "
            "(schema.table) or catalog (catalog.schema.table)."
        )
    ident = [exp.to_identifier(p, quoted=True) for p in parts]
    catalog, db = (None, None)
    if len(ident) == 3:
        catalog, db = ident[0], ident[1]
    elif len(ident) == 2:
        db = ident[0]
    return exp.Table(this=ident[-1], db=db, catalog=catalog)


def _at_most(value: exp.Expr, limit: int) -> exp.Expr:
    """``LEAST(value, limit)`` written as CASE: the same in every dialect (no NULL rules)."""
    return exp.Case(
        ifs=[exp.If(this=exp.GT(this=value, expression=lit(limit)), true=lit(limit))],
        default=value.copy(),
    )


class _Builder:
    """Builds the layers of the statement from the rules; one instance per compile."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        fields = [c.field for s in rules.signals for c in s.when]
        self.fields = {f: FieldNames(i) for i, f in enumerate(dict.fromkeys(fields))}

    # -- conditions -------------------------------------------------------------------------
    def condition(self, cond: Condition) -> tuple[exp.Expr, exp.Expr]:
        """``(fires, known)`` as SQL booleans over one distinct value of the field (the columns
        of ``sql_values.value_ctes``); ``fires`` may be NULL only where not known."""
        text, number, lower = col("v", "x"), col("n", "x"), col("l", "x")
        present = exp.Not(this=exp.Is(this=text, expression=exp.Null()))
        if isinstance(cond, Missing):
            return exp.Is(this=text, expression=exp.Null()), exp.true()
        if isinstance(cond, Range):
            known = exp.Not(this=exp.Is(this=number, expression=exp.Null()))
            parts: list[exp.Expr] = [known]
            if cond.min is not None:
                parts.append(exp.GTE(this=number.copy(), expression=double(cond.min)))
            if cond.max is not None:
                parts.append(exp.LT(this=number.copy(), expression=double(cond.max)))
            return exp.and_(*parts), known.copy()
        numeric_col = exp.EQ(this=col("num", "x"), expression=lit(1))
        if isinstance(cond, FieldIn | FieldNotIn):
            numbers = [double(n) for n in map(number_value, cond.values) if n is not None]
            numbers = [n for n in numbers if not isinstance(n, exp.Null)]
            as_number = is_in(number, numbers)
            as_text = is_in(lower, [lit(canonical_text(v)) for v in dict.fromkeys(cond.values)])
        elif isinstance(cond, Flag):  # a number above 0, in a text column too, or a true word
            above = exp.GT(this=number, expression=lit(0))
            true_word = is_in(lower, [lit(v) for v in sorted(TRUE_TEXT)])
            return exp.and_(present, exp.or_(above, true_word)), present.copy()
        else:  # a condition kind added to the rules needs its SQL here, never a silent guess
            raise TypeError(f"no SQL for condition kind {type(cond).__name__}")
        fires: exp.Expr = exp.Case(ifs=[exp.If(this=numeric_col, true=as_number)], default=as_text)
        if isinstance(cond, FieldNotIn):  # the pooled "other" values: known and none of these
            fires = exp.Not(this=exp.Paren(this=fires))
        return exp.and_(present, fires), present.copy()

    def ctes(self, leads: exp.Table) -> list[tuple[str, exp.Select]]:
        """Per field: its distinct values, its kinds, and each condition on it per value."""
        out: list[tuple[str, exp.Select]] = []
        for name, names in self.fields.items():
            conditions = [
                (f"{j}_{c}", *self.condition(cond))
                for j, sig in enumerate(self.rules.signals)
                for c, cond in enumerate(sig.when)
                if cond.field == name
            ]
            out += value_ctes(name, names, leads, conditions)
        return out

    def joins(self, query: exp.Select) -> exp.Select:
        """Each field's lookup joined to its lead on the value as text (NULL matches nothing)."""
        for name, names in self.fields.items():
            raw = exp.cast(col(name, "t"), exp.DataType.Type.VARCHAR)
            query = query.join(
                exp.to_table(names.lookup, quoted=True).as_(names.alias, quoted=True),
                on=exp.EQ(this=raw, expression=col("raw", names.alias)),
                join_type="left",
                copy=False,  # every part is built here; copying the growing query is quadratic
            )
        return query

    def signal(self, index: int) -> tuple[exp.Expr, exp.Expr]:
        """``f_j``, ``k_j`` as 0/1: AND of the conditions; known when all are known or one known
        condition fails (``conditions.evaluate_all``). A lead with no value (NULL) matches no
        lookup row: its conditions read as the engine reads a missing value."""
        pairs = []
        for c, cond in enumerate(self.rules.signals[index].when):
            alias = self.fields[cond.field].alias
            missing = 1 if isinstance(cond, Missing) else 0
            fired = exp.Coalesce(this=col(f"f_{index}_{c}", alias), expressions=[lit(missing)])
            known = exp.Coalesce(this=col(f"k_{index}_{c}", alias), expressions=[lit(missing)])
            pairs.append(
                (exp.EQ(this=fired, expression=lit(1)), exp.EQ(this=known, expression=lit(1)))
            )
        fired_all = exp.and_(*[f for f, _ in pairs])
        if len(pairs) == 1:
            return one_if(fired_all), one_if(pairs[0][1])
        all_known = exp.and_(*[k.copy() for _, k in pairs])
        known_false = [exp.and_(k.copy(), exp.Not(this=f.copy())) for f, k in pairs]
        return one_if(fired_all), one_if(exp.or_(exp.paren(all_known), *known_false))

    # -- sums and texts ---------------------------------------------------------------------
    @staticmethod
    def _sum(terms: Sequence[exp.Expr]) -> exp.Expr:
        if not terms:
            return lit(0)
        total = terms[0]
        for term in terms[1:]:
            total = exp.Add(this=total, expression=term)
        return exp.paren(total) if len(terms) > 1 else total

    def _weighted(self, indices: Sequence[int], flag: str, *, absent: bool = False) -> exp.Expr:
        terms = []
        for j in indices:
            value: exp.Expr = col(f"_ls_{flag}_{j}", "s")
            if absent:
                value = exp.paren(exp.Sub(this=lit(1), expression=value))
            pts = abs(self.rules.signals[j].points) if absent else self.rules.signals[j].points
            terms.append(
                exp.Mul(this=value, expression=lit(pts) if pts >= 0 else exp.Neg(this=lit(-pts)))
            )
        return self._sum(terms)

    @staticmethod
    def _joined(pieces: Sequence[tuple[exp.Expr, str]]) -> exp.Expr:
        """The texts whose condition holds, joined with ``; `` (empty text for none)."""
        if not pieces:
            return lit("")
        parts: list[exp.Expr] = [
            exp.Case(ifs=[exp.If(this=cond, true=lit(SEPARATOR + text))]) for cond, text in pieces
        ]  # NULL when the condition fails: CONCAT reads it as empty text
        concat = exp.Concat(expressions=parts, coalesce=True)
        return exp.Substring(this=concat, start=lit(len(SEPARATOR) + 1))

    def _ranked(self) -> list[int]:
        """Signal indices largest points first, ties in file order (``factors.top_factors``)."""
        points = np.array([sig.points for sig in self.rules.signals], dtype=np.int64)
        return [int(j) for j in np.argsort(-np.abs(points), kind="stable")]

    def positions(self) -> list[tuple[str, list[exp.Expr]]]:
        """Layers ``r1``..``r3``: the rank (1-based, 0 for none) of the k-th fired signal in
        ``_ranked`` order; each layer looks past the one before."""
        order = self._ranked()
        layers: list[tuple[str, list[exp.Expr]]] = []
        for k in range(1, TOP_N + 1):
            ifs: list[exp.If] = []
            if k > 1:
                before = col(f"_ls_p{k - 1}", f"r{k - 1}")
                ifs.append(exp.If(this=exp.EQ(this=before, expression=lit(0)), true=lit(0)))
            for rank, j in enumerate(order, start=1):
                fired: exp.Expr = exp.EQ(this=col(f"_ls_f_{j}", "s"), expression=lit(1))
                if k > 1:
                    if rank == 1:
                        continue
                    later = exp.LT(this=col(f"_ls_p{k - 1}", f"r{k - 1}"), expression=lit(rank))
                    fired = exp.and_(fired, later)
                ifs.append(exp.If(this=fired, true=lit(rank)))
            position = exp.Case(ifs=ifs, default=lit(0)) if ifs else lit(0)
            layers.append((f"r{k}", [exp.alias_(position, f"_ls_p{k}")]))
        return layers

    def top_factors(self) -> exp.Expr:
        """Up to three fired signals, largest points first (ties in file order), as
        ``factors.top_factors`` writes them: the text of the signal at each position."""
        signals = self.rules.signals
        order = self._ranked()
        parts: list[exp.Expr] = []
        for k in range(1, TOP_N + 1):
            prefix = "" if k == 1 else SEPARATOR
            whens = [
                exp.If(
                    this=lit(rank),
                    true=lit(
                        prefix + factor_text(signals[j].label or signals[j].name, signals[j].points)
                    ),
                )
                for rank, j in enumerate(order, start=1)
            ]
            if whens:
                parts.append(exp.Case(this=col(f"_ls_p{k}", f"r{k}"), ifs=whens))
        if not parts:
            return lit("")
        return exp.Concat(expressions=parts, coalesce=True)

    def missing_names(self) -> exp.Expr:
        pieces = [
            (exp.EQ(this=col(f"_ls_k_{j}", "s"), expression=lit(0)), s.label or s.name)
            for j, s in enumerate(self.rules.signals)
        ]
        return self._joined(pieces)

    def unscoreable_weight(self) -> int:
        """The least missing weight (sum of |points|) that makes a lead Unscoreable, found with
        the engine's own float division so the boundary is the same."""
        weights = [abs(s.points) for s in self.rules.signals]
        total = float(sum(weights))
        if total <= 0:
            return 2**31 - 1  # the engine's share is 0: never Unscoreable
        share = self.rules.unscoreable_missing_share
        return next(m for m in range(int(total) + 1) if m / total >= share)

    # -- layers -----------------------------------------------------------------------------
    def layers(self) -> list[tuple[str, list[exp.Expr]]]:
        rules = self.rules
        s: list[exp.Expr] = []
        for j in range(len(rules.signals)):
            fired, known = self.signal(j)
            s += [exp.alias_(fired, f"_ls_f_{j}"), exp.alias_(known, f"_ls_k_{j}")]
        d: list[exp.Expr] = []
        groups = [sig.dimension for sig in rules.signals]
        for dim in (*DIMENSIONS, "negative"):
            idx = [j for j, g in enumerate(groups) if g == dim]
            d.append(exp.alias_(self._weighted(idx, "f"), f"_ls_raw_{dim}"))
            if dim != "negative":
                positive = [j for j in idx if rules.signals[j].points > 0]
                d.append(exp.alias_(self._weighted(positive, "k", absent=True), f"_ls_extra_{dim}"))
        d.append(
            exp.alias_(self._weighted(range(len(groups)), "k", absent=True), "_ls_missing_weight")
        )
        d.append(exp.alias_(self.missing_names(), "_ls_missing_names"))
        return [("s", s), ("d", d), *self.positions(), ("o", self.outputs())]

    def outputs(self) -> list[exp.Expr]:
        rules = self.rules
        capped: dict[str, exp.Expr] = {}
        potential: list[exp.Expr] = []
        for dim in DIMENSIONS:
            raw = col(f"_ls_raw_{dim}", "d")
            limit = rules.dimensions[dim].max_points if dim in rules.dimensions else 0
            capped[dim] = _at_most(raw, limit)
            has_signal = any(sig.dimension == dim for sig in rules.signals)
            if has_signal and dim in rules.dimensions:
                gained = exp.Add(this=raw, expression=col(f"_ls_extra_{dim}", "d"))
                potential.append(
                    exp.Sub(
                        this=_at_most(gained, limit),
                        expression=capped[dim],
                    )
                )
        floor = (
            exp.Neg(this=lit(rules.negative_max_points)) if rules.negative_max_points else lit(0)
        )
        raw_negative = col("_ls_raw_negative", "d")
        negative = exp.Case(
            ifs=[exp.If(this=exp.LT(this=raw_negative, expression=floor), true=floor.copy())],
            default=raw_negative.copy(),
        )
        total = self._sum([*capped.values(), negative])
        t = rules.thresholds
        unscoreable = exp.GTE(
            this=col("_ls_missing_weight", "d"), expression=lit(self.unscoreable_weight())
        )
        tier = exp.Case(
            ifs=[
                exp.If(this=unscoreable, true=lit(UNSCOREABLE)),
                # totals are integers: ``total >= 72.5`` is ``total >= 73``
                exp.If(this=exp.GTE(this=total, expression=lit(math.ceil(t.hot))), true=lit("Hot")),
                exp.If(
                    this=exp.GTE(this=total, expression=lit(math.ceil(t.warm))), true=lit("Warm")
                ),
                exp.If(
                    this=exp.GTE(this=total, expression=lit(math.ceil(t.cool))), true=lit("Cool")
                ),
            ],
            default=lit("Cold"),
        )
        names = col("_ls_missing_names", "d")
        missing = exp.Case(
            ifs=[exp.If(this=exp.EQ(this=names, expression=lit("")), true=lit(""))],
            default=exp.Concat(
                expressions=[
                    names,
                    lit(" (up to +"),
                    exp.cast(self._sum(potential), exp.DataType.Type.VARCHAR),
                    lit(" points)"),
                ],
                safe=True,
            ),
        )
        values = [
            total,
            capped["firmographic"],
            capped["behavioral"],
            capped["engagement"],
            capped["intent"],
            tier,
            lit(rules.version),
            self.top_factors(),
            missing,
        ]
        return [
            exp.alias_(e, name, quoted=True)
            for e, name in zip(values, LEAD_SCORE_COLUMNS, strict=True)
        ]

    def statement(self, options: SqlOptions, *, chained: bool) -> exp.Expr:
        leads = table_name(options.table)
        leads.set("alias", exp.TableAlias(this=exp.to_identifier("t", quoted=True)))
        layers = self.layers()
        query = (self._chained if chained else self._lateral)(leads, layers, options)
        for name, cte in self.ctes(leads):  # copy=False: copying the growing query is quadratic
            query = query.with_(exp.to_identifier(name, quoted=True), as_=cte.copy(), copy=False)
        if options.view is None:
            return query
        return exp.Create(
            this=table_name(options.view, "--view"), kind="VIEW", replace=True, expression=query
        )

    def _lateral(self, leads: exp.Table, layers: _Layers, options: SqlOptions) -> exp.Select:
        """``FROM leads t LEFT JOIN lookups CROSS JOIN LATERAL (...) s ...``: for PostgreSQL and
        Spark, which have no ``* EXCLUDE``."""
        if options.id_column is not None:
            first: exp.Expr = col(options.id_column, "t")
        else:
            first = exp.Column(this=exp.Star(), table=exp.to_identifier("t", quoted=True))
        outputs = [col(name, "o") for name in LEAD_SCORE_COLUMNS]
        query = self.joins(exp.select(first, *outputs).from_(leads.copy()))
        for alias, columns in layers:
            layer = exp.Lateral(
                this=exp.select(*columns).subquery(),
                alias=exp.TableAlias(this=exp.to_identifier(alias, quoted=True)),
            )
            query = query.join(layer, join_type="cross", copy=False)
        return query

    def _chained(self, leads: exp.Table, layers: _Layers, options: SqlOptions) -> exp.Select:
        """``SELECT p.* EXCLUDE (helpers), outputs FROM (SELECT p.*, layer FROM (...) p) p``:
        each layer a derived table over the one before (DuckDB, Databricks, Snowflake,
        BigQuery; DuckDB would copy a LATERAL layer's expressions into every reader)."""
        star = exp.Column(this=exp.Star(), table=exp.to_identifier("t", quoted=True))
        *inner, (_, outputs) = layers
        _, first_columns = inner[0]
        query = self.joins(exp.select(star, *first_columns).from_(leads.copy()))
        helpers = [str(c.alias) for c in first_columns]
        for _, columns in inner[1:]:
            prev = exp.Column(this=exp.Star(), table=exp.to_identifier("p", quoted=True))
            query = exp.select(prev, *map(_from_previous, columns)).from_(query.subquery("p"))
            helpers += [str(c.alias) for c in columns]
        if options.id_column is not None:
            first: exp.Expr = col(options.id_column, "p")
        else:
            excluded = [exp.to_identifier(h, quoted=True) for h in helpers]
            first = exp.Column(
                this=exp.Star(except_=excluded), table=exp.to_identifier("p", quoted=True)
            )
        return exp.select(first, *map(_from_previous, outputs)).from_(query.subquery("p"))


_Layers = list[tuple[str, list[exp.Expr]]]
_LAYER_NAMES = frozenset({"s", "d", "o", *(f"r{k}" for k in range(1, TOP_N + 1))})


def _from_previous(expression: exp.Expr) -> exp.Expr:
    """The expression with every helper column read from the derived table ``p``."""

    def move(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and node.table in _LAYER_NAMES:
            return exp.column(node.name, table="p", quoted=True)
        return node

    return expression.transform(move)


#: dialects that can drop the helper columns with ``* EXCLUDE`` / ``* EXCEPT``
_CHAINED = frozenset({"duckdb", "databricks", "snowflake", "bigquery"})


def compile_tree(
    rules: Rules, options: SqlOptions | None = None, *, dialect: str = "duckdb"
) -> exp.Expr:
    """The statement as one sqlglot expression tree, shaped for ``dialect``."""
    return _Builder(rules).statement(options or SqlOptions(), chained=dialect in _CHAINED)


def compile_rules(rules: Rules, dialect: str, options: SqlOptions | None = None) -> str:
    """The statement for ``dialect``, pretty-printed, identifiers quoted."""
    if dialect not in DIALECTS:
        raise InputError(f"--dialect {dialect!r}: choose one of {', '.join(DIALECTS)}.")
    tree = compile_tree(rules, options, dialect=dialect)
    return tree.sql(dialect=dialect, identify=True, pretty=True, unsupported_level=ErrorLevel.RAISE)
