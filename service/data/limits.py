"""Limits on every file a person hands the tool, so a hostile or broken file fails fast and clearly.

A 377-byte YAML file can expand to gigabytes through aliases, a small Parquet file can hold
gigabytes of repeated text, a CSV can have 100,000 columns, and deep nesting or a 5,000-digit
number crashes a parser. Each limit below is checked before the expensive work, and a file over
it is a ``LimitError`` (exit 2) naming the limit and the setting that raises it::

    LEADSCORE_LIMITS__MAX_FILE_MB      a deals/leads CSV or Parquet file on disk      (1024 MB)
    LEADSCORE_LIMITS__MAX_DATA_MB      a Parquet file's values once decompressed      (512 MB)
    LEADSCORE_LIMITS__MAX_COLUMNS      columns in a deals/leads file                  (2000)
    LEADSCORE_LIMITS__MAX_CONFIG_MB    a YAML or JSON file (rules, ICP, mapping ...)  (20 MB)
    LEADSCORE_LIMITS__MAX_NESTING      nesting depth of a YAML or JSON file           (64)
    LEADSCORE_LIMITS__MAX_YAML_NODES   values in a YAML file once aliases expand      (1,000,000)

Numbers longer than Python's 4,300-digit limit are refused in every format (write them as text).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.errors import ConfigError, InputError

#: Python refuses to turn longer digit strings into integers (``sys.get_int_max_str_digits``)
MAX_DIGITS = 4300
_MB = 1024 * 1024


class LimitError(InputError):
    """A file is over one of the input limits; the message names the limit and its setting."""


class InputLimits(BaseSettings):
    """The limits, from ``LEADSCORE_LIMITS__*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="LEADSCORE_LIMITS__", extra="ignore")

    max_file_mb: float = Field(1024, gt=0)
    max_data_mb: float = Field(512, gt=0)
    max_columns: int = Field(2000, ge=1)
    max_config_mb: float = Field(20, gt=0)
    max_nesting: int = Field(64, ge=1)
    max_yaml_nodes: int = Field(1_000_000, ge=1)


def limits() -> InputLimits:
    """The limits in force (read afresh: tests and users set them per run)."""
    try:
        return InputLimits()
    except ValidationError as exc:
        problems = "; ".join(
            f"LEADSCORE_LIMITS__{str(e['loc'][0]).upper()}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(problems) from None


def over(what: str, found: str, limit: str, setting: str) -> str:
    """``has 100,000 columns; the limit is 2,000 (raise it with LEADSCORE_LIMITS__MAX_COLUMNS)``."""
    return f"{what} {found}; the limit is {limit} (raise it with LEADSCORE_LIMITS__{setting})"


def check_file_size(path: Path, *, config: bool = False) -> None:
    """``LimitError`` when the file on disk is over ``max_file_mb`` (``max_config_mb``)."""
    lim = limits()
    size = path.stat().st_size
    most, setting = (
        (lim.max_config_mb, "MAX_CONFIG_MB") if config else (lim.max_file_mb, "MAX_FILE_MB")
    )
    if size > most * _MB:
        raise LimitError(
            f"{path}: " + over("is", f"{size / _MB:,.1f} MB", f"{most:,g} MB", setting) + "."
        )


def too_many_digits(text: str) -> bool:
    """True for a run of digits (an integer, or a float's parts) Python will not convert."""
    digits = text.lstrip("+-")
    return len(digits) > MAX_DIGITS and digits.isdigit()


def check_columns(path: Path, count: int) -> None:
    """``LimitError`` when a data file has more than ``max_columns`` columns."""
    most = limits().max_columns
    if count > most:
        raise LimitError(
            f"{path}: "
            + over("has", f"{count:,} columns", f"{most:,}", "MAX_COLUMNS")
            + ". Export only the fields the model needs."
        )


def check_parquet(path: Path) -> None:
    """``LimitError`` (or ``DataFileError``) before a Parquet file is loaded: too many columns,
    nested values, or more than ``max_data_mb`` once decompressed. The values are streamed a
    batch at a time, so a small file that expands to gigabytes is stopped at the limit."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from service.errors import DataFileError

    lim = limits()
    try:
        parquet = pq.ParquetFile(path)
        schema = parquet.schema_arrow
    except Exception as exc:  # pyarrow raises many types
        raise DataFileError(f"{path}: not a readable Parquet file ({exc}).") from None
    check_columns(path, len(schema))
    nested = [f.name for f in schema if pa.types.is_nested(f.type)]
    if nested:
        raise DataFileError(
            f"{path}: column {nested[0]!r} holds nested values (lists or records); "
            "flatten it to one value per cell."
        )
    total = 0
    try:
        for batch in parquet.iter_batches(batch_size=1024):
            # dictionary columns counted as spelled out: pandas code turns them into text
            total += sum(
                c.cast(c.type.value_type).nbytes if pa.types.is_dictionary(c.type) else c.nbytes
                for c in batch.columns
            )
            if total > lim.max_data_mb * _MB:
                raise LimitError(
                    f"{path}: "
                    + over(
                        "expands to",
                        f"more than {lim.max_data_mb:,g} MB of values",
                        f"{lim.max_data_mb:,g} MB",
                        "MAX_DATA_MB",
                    )
                    + "."
                )
    except LimitError:
        raise
    except Exception as exc:
        raise DataFileError(f"{path}: not a readable Parquet file ({exc}).") from None
    finally:
        parquet.close()
