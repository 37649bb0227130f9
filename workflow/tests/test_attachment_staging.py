"""The staging folder's sweep, when another process moves a file on while it looks."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflow.services import attachments


def test_a_staged_file_gone_between_the_listing_and_its_look_is_passed_over(
    settings: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.ATTACHMENT_DIR = str(tmp_path)  # type: ignore[attr-defined]
    staging = attachments._staging()
    gone, kept = staging / "gone.png", staging / "kept.png"
    gone.write_bytes(b"x")
    kept.write_bytes(b"x")
    real_stat = Path.stat

    def stat(self: Path, **kwargs: object) -> object:
        if self.name == "gone.png":
            self.unlink()  # another worker's commit moved it into its case's folder just now
        return real_stat(self, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "stat", stat)
    attachments._clear_old_staging()
    assert kept.exists() and not gone.exists()
