"""Background work on the Django tasks framework (a database-backed queue; `manage.py worker` runs it).

The import task lives with the import jobs it moves on (core/import_jobs.py); it is named here as
well, for tasks queued under this path before it moved.
"""

from core.import_jobs import run_import

__all__ = ["run_import"]
