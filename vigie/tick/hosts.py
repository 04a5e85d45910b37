"""Faculty agents' machines for the per-tick state, read from what the agents pushed.

Agents push every few seconds to the web workers, which write to the store; the
collecting process reads their newest values in one query, at most every
`REFRESH_S` of exercise time (each value keeps the instant it was measured).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from vigie.series import Labels
from vigie.source_health import is_up
from vigie.store import Point, Store
from vigie.tick.state import HostView, ProbeView

REFRESH_S = 5.0
# signal name -> (HostView field, the label that must match, its value)
HOST_FIELDS: dict[str, tuple[str, str | None, str | None]] = {
    "host_cpu_ratio": ("cpu", None, None),
    "host_memory_used_ratio": ("memory", None, None),
    "host_open_fds": ("open_fds", None, None),
    "host_fd_limit": ("fd_limit", None, None),
    "host_conntrack_entries": ("conntrack", None, None),
    "host_conntrack_limit": ("conntrack_limit", None, None),
}
LABELLED_FIELDS: dict[str, dict[tuple[str, str], str]] = {
    "host_network_bytes_per_second": {
        ("direction", "receive"): "receive_bps",
        ("direction", "transmit"): "transmit_bps",
    },
    "host_tcp_connections": {("state", "ESTABLISHED"): "tcp_established"},
}
PROBES = ("probe_success", "probe_duration_seconds", "probe_http_status")
NAMES = (*HOST_FIELDS, *LABELLED_FIELDS, *PROBES)


class HostReader:
    def __init__(self, store: Store, exercise_id: int) -> None:
        self._store = store
        self._exercise = exercise_id
        self._read_at: float | None = None
        self._hosts: tuple[HostView, ...] = ()

    def at(self, now: float) -> tuple[HostView, ...]:
        if self._read_at is None or not 0 <= now - self._read_at < REFRESH_S:
            self._hosts = hosts_from(self._store.latest_of(self._exercise, NAMES, now))
            self._read_at = now
        return self._hosts


def hosts_from(latest: dict[str, dict[Labels, Point]]) -> tuple[HostView, ...]:
    fields: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)
    newest: dict[tuple[str, str], float] = {}
    probes: dict[tuple[str, str], dict[str, dict[str, float]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for name, series in latest.items():
        for labels, point in series.items():
            tags = dict(labels)
            key = (tags.get("faculty", ""), tags.get("host", ""))
            if not all(key):
                continue
            newest[key] = max(newest.get(key, point.at), point.at)
            if name in PROBES:
                probes[key][tags.get("target", "")][name] = point.value
            elif name in HOST_FIELDS:
                fields[key][HOST_FIELDS[name][0]] = point.value
            else:
                for (label, wanted), field in LABELLED_FIELDS[name].items():
                    if tags.get(label) == wanted:
                        fields[key][field] = point.value
    return tuple(
        HostView(
            faculty=key[0],
            host=key[1],
            measured_at=at,
            probes=_probe_views(probes.get(key, {})),
            **fields.get(key, {}),
        )
        for key, at in sorted(newest.items())
    )


def _probe_views(by_target: dict[str, dict[str, float]]) -> tuple[ProbeView, ...]:
    return tuple(
        ProbeView(
            target=target,
            success=None if "probe_success" not in v else is_up(v["probe_success"]),
            duration_s=v.get("probe_duration_seconds"),
            http_status=None if "probe_http_status" not in v else int(v["probe_http_status"]),
        )
        for target, v in sorted(by_target.items())
    )
