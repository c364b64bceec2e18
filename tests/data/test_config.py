"""The build configuration: YAML keys checked, flags on top, columns and outcome resolved."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from service.config import (
    BuildConfig,
    Dimension,
    apply_flags,
    load_build_config,
    resolve_columns,
    resolve_outcome,
)
from service.errors import ConfigError, DataFileError


def _yaml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "build.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_config_gives_defaults() -> None:
    """Without --config every setting has its default."""
    config = load_build_config(None)
    assert config == BuildConfig()
    assert config.min_attribute_deals == 15 and config.outcome.won == []


def test_full_config_is_read(tmp_path: Path) -> None:
    """The documented keys are read, scalar won values become a list of text."""
    path = _yaml(
        tmp_path,
        "company: Acme\n"
        "outcome: {column: Stage, won: Closed Won, lost: [Closed Lost]}\n"
        "id_column: Opportunity ID\n"
        "exclude: [Owner]\n"
        "keep: [Tags]\n"
        "dimensions: {Industry: firmographic, Webinar: behavioral}\n"
        "min_attribute_deals: 20\n",
    )
    config = load_build_config(path)
    assert config.outcome.won == ["Closed Won"] and config.outcome.lost == ["Closed Lost"]
    assert config.dimensions["Webinar"] is Dimension.behavioral
    assert (config.exclude, config.keep, config.min_attribute_deals) == (["Owner"], ["Tags"], 20)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("colour: blue\n", "colour: unknown key"),
        ("outcome: {column: Stage, wonn: [x]}\n", "outcome.wonn: unknown key"),
        ("max_signals: many\n", "max_signals:"),
        ("dimensions: {Industry: firmo}\n", "dimensions.Industry:"),
        ("min_attribute_deals: 2\n", "min_attribute_deals:"),
    ],
)
def test_bad_keys_and_values_name_the_file_and_key(tmp_path: Path, text: str, where: str) -> None:
    """A misspelled key or a bad value is a ConfigError naming the file and the key path."""
    path = _yaml(tmp_path, text)
    with pytest.raises(ConfigError) as exc:
        load_build_config(path)
    assert f"{path}: {where}" in str(exc.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("outcome: [unclosed\n", "not valid YAML"), ("- a\n- b\n", "must be a mapping")],
)
def test_malformed_yaml_is_a_config_error(tmp_path: Path, text: str, expected: str) -> None:
    """Broken YAML, or YAML that is not a mapping, is a ConfigError naming the file."""
    path = _yaml(tmp_path, text)
    with pytest.raises(ConfigError, match=expected) as exc:
        load_build_config(path)
    assert str(path) in str(exc.value)


def test_missing_config_file_is_a_config_error(tmp_path: Path) -> None:
    """A --config path that does not exist is named in the error."""
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_build_config(tmp_path / "nope.yaml")


def test_flags_win_over_the_file_and_exclusions_add_up() -> None:
    """--outcome-column and --won replace the file's values; --exclude adds to its list."""
    config = BuildConfig.model_validate(
        {"outcome": {"column": "Stage", "won": ["Closed Won"]}, "exclude": ["Owner"]}
    )
    flagged = apply_flags(config, outcome_column="Status", won=["Won"], exclude=["Notes"])
    assert flagged.outcome.column == "Status" and flagged.outcome.won == ["Won"]
    assert flagged.exclude == ["Owner", "Notes"]
    assert apply_flags(config).outcome.won == ["Closed Won"]


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "deal_id": ["a", "b", "c", "d", "e"],
            "Company": ["A", "B", "C", "D", "E"],
            "closed_at": ["2026-01-01"] * 5,
            "outcome": ["won", "Lost", " WON ", "lost", "pending"],
        }
    )


def test_standard_columns_are_recognised() -> None:
    """deal_id, Company and closed_at are found by their standard names."""
    config = resolve_columns(_frame(), BuildConfig(), "deals.csv")
    assert (config.id_column, config.name_column, config.date_column) == (
        "deal_id",
        "Company",
        "closed_at",
    )


@pytest.mark.parametrize(
    ("config", "name"),
    [
        ({"id_column": "Opp ID"}, "Opp ID"),
        ({"exclude": ["Owner"]}, "Owner"),
        ({"keep": ["Tags"]}, "Tags"),
        ({"dimensions": {"Industry": "firmographic"}}, "Industry"),
    ],
)
def test_configured_columns_must_exist(config: dict, name: str) -> None:
    """A configured column that is not in the file is a ConfigError naming it."""
    with pytest.raises(ConfigError) as exc:
        resolve_columns(_frame(), BuildConfig.model_validate(config), "deals.csv")
    assert "deals.csv" in str(exc.value) and repr(name) in str(exc.value)


def test_default_outcome_values_and_invalid_rows() -> None:
    """won/lost in any case are recognised; anything else is invalid with its 1-based row."""
    outcome = resolve_outcome(_frame(), BuildConfig(), "deals.csv")
    assert outcome.column == "outcome"
    assert outcome.y.tolist()[:4] == [1.0, 0.0, 1.0, 0.0]
    assert np.isnan(outcome.y.iloc[4])
    assert outcome.invalid_rows == [5]
    assert outcome.invalid_values == {"pending": 1}


def test_won_flag_only_makes_everything_else_lost() -> None:
    """With --won 1 and no --lost, every other non-missing value is lost; floats 1.0 match 1."""
    frame = pd.DataFrame({"Converted": [1.0, 0.0, 1.0, np.nan, 2.0]})
    config = BuildConfig.model_validate({"outcome": {"column": "Converted", "won": ["1"]}})
    outcome = resolve_outcome(frame, config, "leads.csv")
    assert outcome.y.tolist()[:3] == [1.0, 0.0, 1.0]
    assert outcome.y.iloc[4] == 0.0
    assert outcome.invalid_rows == [4]  # the missing outcome


def test_no_outcome_column_lists_the_columns() -> None:
    """A file without a recognisable outcome column says how to name one."""
    frame = pd.DataFrame({"deal": ["a"], "Result Code": ["W"]}).rename(
        columns={"Result Code": "rc"}
    )
    with pytest.raises(DataFileError) as exc:
        resolve_outcome(frame, BuildConfig(), "deals.csv")
    assert "--outcome-column" in str(exc.value) and "deal, rc" in str(exc.value)


def test_named_outcome_column_missing_from_file() -> None:
    """--outcome-column naming a column that is not there is a DataFileError naming it."""
    config = BuildConfig.model_validate({"outcome": {"column": "Stage"}})
    with pytest.raises(DataFileError, match="outcome column 'Stage' is not in the file"):
        resolve_outcome(_frame(), config, "deals.csv")


def test_outcome_values_matching_nothing_show_what_is_there() -> None:
    """When no value means won, the error lists the values found and the --won flag."""
    config = BuildConfig.model_validate({"outcome": {"won": ["Closed Won"]}})
    with pytest.raises(DataFileError) as exc:
        resolve_outcome(_frame(), config, "deals.csv")
    message = str(exc.value)
    assert "'won'" in message and "'pending'" in message and "--won VALUE" in message


def test_a_latin1_config_and_a_folder_are_config_errors(tmp_path: Path) -> None:
    """A config saved as Latin-1, or a folder passed as --config, is a ConfigError saying how to fix it."""
    path = tmp_path / "config.yaml"
    path.write_bytes("company: Café Ltd\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"not UTF-8 text .*save it as UTF-8") as exc:
        load_build_config(path)
    assert str(path) in str(exc.value)
    with pytest.raises(ConfigError, match="is a folder, not a file"):
        load_build_config(tmp_path)


def test_default_won_values_are_listed_once_each() -> None:
    """The default won values tried ('1' and '1.0' both normalise to '1') are each named once."""
    frame = pd.DataFrame({"outcome": ["lost", "open", "lost"]})
    with pytest.raises(DataFileError) as exc:
        resolve_outcome(frame, BuildConfig(), "deals.csv")
    looked_for = str(exc.value).split("looked for ")[1].split(";")[0].split(", ")
    assert len(looked_for) == len(set(looked_for)) and "won" in looked_for
