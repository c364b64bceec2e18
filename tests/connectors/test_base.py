"""The helpers every connector shares: batching and the counts of a write."""

from __future__ import annotations

from collections.abc import Iterator

from connectors.base import RecordError, WriteResult, batched


class TestBatched:
    """Lists of ``size`` items, the last one shorter, read lazily from any iterable."""

    def test_the_last_batch_is_shorter(self) -> None:
        assert list(batched(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]

    def test_nothing_gives_no_batch(self) -> None:
        assert list(batched([], 3)) == []

    def test_items_are_read_only_as_batches_are_asked_for(self) -> None:
        """A generator is not drained up front: a pull of a million leads stays a page at a time."""
        read: list[int] = []

        def items() -> Iterator[int]:
            for i in range(10):
                read.append(i)
                yield i

        batches = batched(items(), 4)
        assert next(batches) == [0, 1, 2, 3]
        assert read == [0, 1, 2, 3]


class TestWriteResult:
    """A write's counts, as its ``scores_written`` event carries them."""

    def test_counts(self) -> None:
        result = WriteResult(
            written=["a", "b"], failed=[RecordError("c", "refused")], deferred=["d", "e", "f"]
        )
        assert result.counts() == {"written": 2, "failed": 1, "deferred": 3}
