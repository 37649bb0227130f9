"""The 一件事 cases of a veteran, on their timeline (the kit's provider over the register)."""

from __future__ import annotations

from cases.register import LIFE_CASES
from veterans.timeline import register
from workflow.kit import subject_timeline

life_cases = register(subject_timeline(LIFE_CASES, title=lambda life: life.get_stage_display()))
