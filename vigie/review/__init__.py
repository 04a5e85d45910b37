"""Post-mortem review of a stored exercise: its incident timeline, and the report."""
