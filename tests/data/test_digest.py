"""The content hash the daemon watches its rules and routing files by."""

from __future__ import annotations

from pathlib import Path

from service.data.digest import file_digest


class TestFileDigest:
    """SHA-256 of the bytes; ``None`` for a file that cannot be read."""

    def test_known_answer(self, tmp_path: Path) -> None:
        path = tmp_path / "rules.yaml"
        path.write_bytes(b"abc")
        assert file_digest(path) == (
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        )

    def test_a_missing_file_has_none(self, tmp_path: Path) -> None:
        assert file_digest(tmp_path / "gone.yaml") is None
