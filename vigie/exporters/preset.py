"""A preset: the signals one exporter gives, for a server or for a faculty's machine.

A series is a sum over the exporter's series that match the plan's labels (one
HAProxy frontend, one instance): as PromQL through a Prometheus, or as the same
metrics read straight off the exporter's /metrics page. A series that only
PromQL can compute (a rate, a ratio) has an `expression` and no page form.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from vigie.plan.model import Entity


class Selector(Protocol):
    """`metric{plan labels, extra}`: `extra` is more PromQL matchers (`mode="idle"`)."""

    def __call__(self, metric: str, extra: str = "") -> str: ...


@dataclass(frozen=True)
class Series:
    signal: str  # the plan signal it feeds: server_connections, host_open_fds, ...
    metrics: tuple[str, ...]  # summed; several metrics for "denied anywhere"
    match: Mapping[str, str] = field(default_factory=dict)  # beyond the plan's labels
    labels: Mapping[str, str] = field(default_factory=dict)  # stored with it (state=...)
    # PromQL from a selector, where a sum of metrics is not the signal (rates, ratios).
    expression: Callable[[Selector], str] | None = None
    # The limit this software enforces, read live: compared with the plan's.
    is_limit: bool = False
    # Watched by the blind rule: absent means the exporter or the plan is wrong.
    required: bool = False

    @property
    def on_pages(self) -> bool:
        """Whether a /metrics page gives it (sums only: a page has no PromQL)."""
        return self.expression is None

    def promql(self, plan_match: Mapping[str, str]) -> str:
        wanted = {**plan_match, **self.match}

        def select(metric: str, extra: str = "") -> str:
            matchers = ",".join(part for part in (_matchers(wanted), extra) if part)
            return f"{metric}{{{matchers}}}"

        if self.expression is not None:
            return self.expression(select)
        if len(self.metrics) == 1:
            return f"sum({select(self.metrics[0])})"
        names = '__name__=~"' + "|".join(self.metrics) + '"'
        return f"sum({select('', names)})"


@dataclass(frozen=True)
class Preset:
    """One exporter's signals. `needs` names labels a plan must give (HAProxy's
    `proxy`: without it, every frontend's sessions would be summed together)."""

    name: str
    software: str  # as an operator calls it: "HAProxy", "PostgreSQL"
    server: tuple[Series, ...] = ()
    faculty: tuple[Series, ...] = ()
    needs: tuple[str, ...] = ()
    limit_called: str = ""  # what the software calls its limit: "frontend maxconn"

    def series_for(self, entity: Entity) -> tuple[Series, ...]:
        return {Entity.SERVER: self.server, Entity.FACULTY: self.faculty}.get(entity, ())


class DuplicatePreset(ValueError):
    pass


class PresetRegistry:
    """The explicit list of presets; a name is taken once."""

    def __init__(self) -> None:
        self._by_name: dict[str, Preset] = {}

    def register(self, preset: Preset) -> Preset:
        if preset.name in self._by_name:
            raise DuplicatePreset(f"preset {preset.name!r} is already registered")
        self._by_name[preset.name] = preset
        return preset

    def get(self, name: str) -> Preset | None:
        return self._by_name.get(name)

    def __iter__(self) -> Iterator[Preset]:
        return iter(self._by_name.values())

    @property
    def names(self) -> list[str]:
        return sorted(self._by_name)


def _matchers(labels: Mapping[str, str]) -> str:
    return ",".join(f'{name}="{_escaped(value)}"' for name, value in sorted(labels.items()))


def _escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
