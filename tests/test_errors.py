"""The public error tree: names, parents and exit codes are part of the interface."""

from __future__ import annotations

import service.errors as errors


def test_public_names_are_pinned() -> None:
    """Every documented error class exists, and nothing undocumented sneaks in."""
    public = {n for n in dir(errors) if n.endswith("Error")}
    assert public == {
        "LeadScoreError",
        "InputError",
        "DataFileError",
        "ConfigError",
        "RulesError",
        "InsufficientDataError",
        "ConnectorError",
        "FatalConnectorError",
        "AuthError",
        "BadRequestError",
        "MissingFieldError",
        "RetryableConnectorError",
        "RateLimitedError",
        "StateStoreError",
        "LeaseError",
    }


def test_every_class_is_drawn_in_the_module_docstring() -> None:
    """The tree in the docstring names every class, so it cannot drift from the code."""
    doc = errors.__doc__ or ""
    for name in dir(errors):
        if name.endswith("Error"):
            assert name in doc


def test_input_errors_exit_2_and_others_exit_1() -> None:
    """Bad input exits 2; connector and internal failures exit 1."""
    assert errors.DataFileError("x").exit_code == 2
    assert errors.RulesError("f.yaml", ["a: b"]).exit_code == 2
    assert errors.InsufficientDataError("x").exit_code == 2
    assert errors.AuthError("x").exit_code == 2
    assert errors.RetryableConnectorError("x").exit_code == 1
    assert errors.LeadScoreError("x").exit_code == 1


def test_rate_limited_is_retryable_and_keeps_the_wait() -> None:
    """A 429 is a retryable error that carries the server's Retry-After."""
    err = errors.RateLimitedError("slow down", retry_after=2.5)
    assert isinstance(err, errors.RetryableConnectorError)
    assert err.retry_after == 2.5
    assert err.status == 429


def test_rules_error_prefixes_each_problem_with_the_file() -> None:
    """Each problem is one line that names the file and the key path."""
    err = errors.RulesError("rules/live.yaml", ["signals[3].points: bad", "thresholds: missing"])
    assert str(err).splitlines() == [
        "rules/live.yaml: signals[3].points: bad",
        "rules/live.yaml: thresholds: missing",
    ]
