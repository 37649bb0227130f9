"""The docs' example process is the one the tests run: docs/workflow.md shows example/process.py's declaration."""

from __future__ import annotations

import re
from pathlib import Path

from example.process import EXAMPLE_CLAIM
from workflow.process import PROCESSES

ROOT = Path(__file__).resolve().parents[2]
START = "# --- the process declaration, as docs/workflow.md shows it ---\n"
END = "# --- end of the process declaration ---\n"


def declaration() -> str:
    source = (ROOT / "example" / "process.py").read_text(encoding="utf-8")
    assert source.count(START) == 1 and source.count(END) == 1, "example/process.py keeps its two markers"
    return source[source.index(START) + len(START) : source.index(END)]


def documented() -> str:
    doc = (ROOT / "docs" / "workflow.md").read_text(encoding="utf-8")
    section = doc[doc.index("## Declaring a process") :]
    found = re.search(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert found, "docs/workflow.md's 'Declaring a process' has a python block"
    return found.group(1)


def test_the_docs_show_the_example_process_verbatim() -> None:
    assert documented() == declaration()


def test_the_declaration_shown_is_the_process_registered() -> None:
    assert "EXAMPLE_CLAIM = register(" in declaration()
    assert PROCESSES["example_claim"] is EXAMPLE_CLAIM
    assert [s.key for s in EXAMPLE_CLAIM.steps] == ["prepare", "check", "notice"]


def test_the_docs_call_nothing_that_does_not_exist() -> None:
    doc = (ROOT / "docs" / "workflow.md").read_text(encoding="utf-8")
    for gone in ("village_of", "town_of", "effect=pay"):
        assert gone not in doc
