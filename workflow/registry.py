"""The declared processes by key. It imports nothing of the project, so the models may ask it who a case's
process is (its subject, its capabilities) without a cycle; ``workflow.process.register`` fills it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workflow.process import Process

PROCESSES: dict[str, Process] = {}
