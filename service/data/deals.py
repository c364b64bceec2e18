"""Deals read from a file or a frame and mapped: the table, the resolved configuration and the
outcome. Every command, the model build and the daemon's recalibration load deals through here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from service.config import (
    BuildConfig,
    Outcome,
    apply_flags,
    load_build_config,
    resolve_columns,
    resolve_outcome,
)
from service.data.io import Table, read_table, table_from_text


@dataclass
class Deals:
    """A deals file read and mapped: the table, the resolved configuration and the outcome."""

    table: Table
    config: BuildConfig
    outcome: Outcome


def load_deals(
    path: Path,
    config_path: Path | None,
    *,
    outcome_column: str | None = None,
    won: list[str] | None = None,
    lost: list[str] | None = None,
    exclude: list[str] | None = None,
) -> Deals:
    """Read a deals file and resolve its columns; every problem is an ``InputError``."""
    config = apply_flags(
        load_build_config(config_path),
        outcome_column=outcome_column,
        won=won or [],
        lost=lost or [],
        exclude=exclude or [],
    )
    return _resolve(read_table(path), config, str(path))


def deals_from_frame(frame: pd.DataFrame, source: str, config_path: Path | None) -> Deals:
    """Deals held in a frame (pulled from a CRM), read exactly as ``load_deals`` reads the same
    frame written to CSV, without the file: every value as the text a CSV would hold."""
    config = apply_flags(load_build_config(config_path), won=[], lost=[], exclude=[])
    return _resolve(table_from_text(frame, source), config, source)


def _resolve(table: Table, config: BuildConfig, source: str) -> Deals:
    config = resolve_columns(table.frame, config, source)
    outcome = resolve_outcome(table.frame, config, source)
    config = config.model_copy(
        update={"outcome": config.outcome.model_copy(update={"column": outcome.column})}
    )
    return Deals(table=table, config=config, outcome=outcome)
