"""Collectors: one small protocol, `collect(now) -> samples`, and its implementations."""
