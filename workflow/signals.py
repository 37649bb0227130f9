"""Signal handlers of the workflow app (none yet beyond the processes' own modules)."""
