"""``Recorder``: a pass's records in order, at most one batch behind, failures raised in the pass."""

from __future__ import annotations

import threading
import time

import pytest

from service.daemon.recorder import Recorder


@pytest.mark.parametrize("background", [False, True])
def test_records_run_in_the_order_asked(background: bool) -> None:
    """Every call runs once, in the order asked for, whether in the background or at once."""
    done: list[int] = []
    r = Recorder(background=background)
    for i in range(200):
        r.later(done.append, i)
    r.flush()
    assert done == list(range(200))
    r.close()


def test_the_pass_runs_at_most_one_batch_ahead_of_its_records() -> None:
    """``mark`` (a new batch) waits for the records of the batch before the last one, so a
    slow database holds the pass back instead of letting records pile up."""
    gate = threading.Event()
    done: list[str] = []
    r = Recorder(background=True)
    r.mark()
    r.later(lambda: (gate.wait(5), done.append("batch 1")))
    r.mark()  # batch 2 starts: batch 1 may still be recording
    assert done == []
    r.later(done.append, "batch 2")
    threading.Timer(0.2, gate.set).start()
    started = time.monotonic()
    r.mark()  # batch 3 starts only once batch 1 is recorded
    assert "batch 1" in done and time.monotonic() - started >= 0.15
    r.flush()
    assert done == ["batch 1", "batch 2"]
    r.close()


def test_a_failure_is_raised_in_the_pass_and_nothing_after_it_is_recorded() -> None:
    """The worker's error (a database outage) comes back at the pass's next step as it was
    raised, and the records asked for after it are not made."""
    done: list[int] = []
    r = Recorder(background=True)

    def fail() -> None:
        raise ConnectionError("state database gone")

    r.later(done.append, 1)
    r.later(fail)
    r.later(done.append, 2)
    with pytest.raises(ConnectionError, match="state database gone"):
        r.flush()
    with pytest.raises(ConnectionError):
        r.later(done.append, 3)
    r.close()  # does not raise: the pass is already ending with the error
    assert done == [1]


def test_close_waits_for_what_was_asked() -> None:
    """A pass that stops (SIGTERM between batches) still records what it scored and wrote."""
    done: list[int] = []
    r = Recorder(background=True)
    r.later(lambda: (time.sleep(0.2), done.append(1)))
    r.close()
    assert done == [1]


def test_work_set_aside_does_not_hold_the_pass_back_but_a_flush_waits_for_it() -> None:
    """Refreshing statistics runs beside the records: ``mark`` does not wait for it, ``flush``
    does, and its failure is raised like a record's."""
    gate = threading.Event()
    done: list[str] = []
    r = Recorder(background=True)
    r.aside(lambda: (gate.wait(5), done.append("statistics")))
    r.mark()
    r.mark()  # two batches later, still not waiting for it
    assert done == []
    gate.set()
    r.flush()
    assert done == ["statistics"]

    def fail() -> None:
        raise ConnectionError("gone")

    r.aside(fail)
    with pytest.raises(ConnectionError):
        r.flush()
    r.close()
