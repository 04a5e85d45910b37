"""Generated exam plans whose outcome is known on paper, for the foresight benchmark.

Each plan is built backwards from its outcome: choose the limit that must break
(a server's total, an address's per-source limit, a database whose background
load leaves little room, a kiosk faculty with more connections per student) and
the wave that breaks it, then size that limit so the cumulative load after the
wave passes it by 8-30% while every limit stays at or under 80% before it, and
every other limit stays at or under 65% to the end. Plans that hold keep every
limit at or under 65% (no capacity alert is right) or between 78% and 88% of
the gateway (tight: a GO above the careful level, never a HOLD). Variations:
1 to 6 waves, 3 to 9 minutes apart, 2 to 5 faculties a wave, background load
declared or only measured, a wave launched 2 to 6 minutes late by the room, and
the plan's connections per student 20% low (only the measured ratio tells).

The arithmetic here is written apart from `vigie.capacity`, on purpose: the
truth is the simulation's (whole connections per student, real background),
not Vigie's model of it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

TYPICAL = 2  # connections a typical student holds at the gateway
DB_SHARE = 0.2  # the database holds this share of the gateway's student connections
KINDS = ("total", "per_source", "background", "kiosk", "holds", "tight")


@dataclass(frozen=True)
class Outcome:
    kind: str
    breaks: bool
    server: str | None = None  # the limit that breaks: its server,
    limit_kind: str | None = None  # total or per_source,
    faculty: str | None = None  # and for a per-source limit the faculty behind it
    wave: int | None = None  # the wave during which it breaks
    late_wave: int | None = None  # a wave the room launched late
    misestimated: bool = False  # the plan's connections per student are 20% low


@dataclass(frozen=True)
class GeneratedPlan:
    number: int
    plan: dict[str, Any]
    outcome: Outcome
    spacing_min: float


def generate(number: int, kind: str | None = None) -> GeneratedPlan:
    rng = random.Random(number)
    kind = kind or KINDS[number % len(KINDS)]
    waves = rng.randint(1, 6) if kind in ("holds", "tight") else rng.randint(2, 6)
    spacing = rng.choice((3, 4, 5, 6, 7, 8, 9))
    faculties = _faculties(rng, waves, kiosk=kind == "kiosk")
    wave = rng.randint(1, waves)
    load = _loads(faculties, waves)
    servers, outcome = _servers(rng, kind, faculties, load, wave)
    late = rng.random() < 0.3 and waves > 1
    late_wave = rng.randint(2, waves) if late else None
    misestimated = rng.random() < 0.3
    if misestimated:  # the truth is measured once students are in, not read from the plan
        for server in servers:
            server["connections_per_student"] *= 0.8
    plan = _plan(number, rng, waves, spacing, faculties, servers, late_wave)
    extra = {"late_wave": late_wave, "misestimated": misestimated}
    return GeneratedPlan(number, plan, Outcome(**{**outcome.__dict__, **extra}), spacing)


def _faculties(rng: random.Random, waves: int, kiosk: bool) -> list[dict[str, Any]]:
    faculties: list[dict[str, Any]] = []
    for wave in range(1, waves + 1):
        for _ in range(rng.randint(2, 5)):
            n = len(faculties)
            faculty: dict[str, Any] = {
                "id": f"fac-{n:02d}",
                "name": f"Faculty {n:02d}",
                "expected_students": rng.randrange(40, 260, 10),
                "wave": wave,
            }
            if rng.random() < 0.7:  # most sit behind their university's NAT
                faculty["egress_ips"] = [f"198.51.100.{n + 1}"]
            faculties.append(faculty)
    if kiosk:
        faculties[-1]["connections_per_student"] = 3
        faculties[-1]["egress_ips"] = [f"203.0.113.{len(faculties)}"]
    return faculties


def _per_student(faculty: dict[str, Any]) -> int:
    return int(faculty.get("connections_per_student", TYPICAL))


def _loads(faculties: list[dict[str, Any]], waves: int) -> list[int]:
    """Gateway connections after each wave (index 0: after wave 1), from students alone."""
    loads, total = [], 0
    for wave in range(1, waves + 1):
        total += sum(
            f["expected_students"] * _per_student(f) for f in faculties if f["wave"] == wave
        )
        loads.append(total)
    return loads


def _servers(
    rng: random.Random, kind: str, faculties: list[dict[str, Any]], load: list[int], wave: int
) -> tuple[list[dict[str, Any]], Outcome]:
    final = load[-1]
    gateway: dict[str, Any] = {"id": "gw", "role": "gateway", "connections_per_student": TYPICAL}
    db: dict[str, Any] = {
        "id": "db",
        "role": "database",
        "connections_per_student": DB_SHARE * TYPICAL,
    }
    db_base = rng.randrange(5, 40)
    gateway["connection_limit"] = round(final / 0.6) + 10
    db["connection_limit"] = round((db_base + final * DB_SHARE) / 0.6) + 10
    db["base_connections"] = db_base
    outcome = Outcome(kind, breaks=False)
    if kind == "total":
        shaped = _shape(rng, [float(v) for v in load])
        if shaped is not None:
            gateway["connection_limit"], breaking = shaped
            outcome = Outcome(kind, True, "gw", "total", wave=breaking)
    elif kind in ("per_source", "kiosk"):
        outcome = _per_source(rng, kind, faculties, gateway, wave)
        # The target's bigger roster must fit every other limit, the totals included.
        final = _loads(faculties, max(f["wave"] for f in faculties))[-1]
        gateway["connection_limit"] = round(final / 0.6) + 10
        db["connection_limit"] = round((db_base + final * DB_SHARE) / 0.6) + 10
    elif kind == "background":
        outcome = _background(rng, db, load)
    elif kind == "tight":
        gateway["connection_limit"] = round(final / rng.uniform(0.78, 0.88))
    if outcome.breaks or kind in ("holds", "tight"):
        return [gateway, db], outcome
    return [gateway, db], Outcome("holds", breaks=False)  # could not be shaped: it holds


def _shape(rng: random.Random, load: list[float]) -> tuple[int, int] | None:
    """(level, wave): a level that the load after the wave passes by 8-30%, while the
    load before it stays clearly under (a 6% margin: no wave before it is a HOLD)."""
    waves = list(range(1, len(load) + 1))
    rng.shuffle(waves)
    for wave in waves:
        before, after = (load[wave - 2] if wave > 1 else 0.0), load[wave - 1]
        low, high = max(after / 1.3, before * 1.06 + 1), after / 1.08
        if low < high:
            return round(rng.uniform(low, high)), wave
    return None


def _per_source(
    rng: random.Random,
    kind: str,
    faculties: list[dict[str, Any]],
    gateway: dict[str, Any],
    wave: int,
) -> Outcome:
    members = [f for f in faculties if f["wave"] == wave]
    target = faculties[-1] if kind == "kiosk" else rng.choice(members)
    target["expected_students"] = rng.randrange(400, 700, 10)
    if kind != "kiosk":
        target["egress_ips"] = [f"192.0.2.{rng.randint(1, 250)}"]
    mine = target["expected_students"] * _per_student(target)
    level = round(mine / rng.uniform(1.08, 1.3))
    others = [f["expected_students"] * _per_student(f) for f in faculties if f is not target]
    if max(others, default=0) * 1.06 >= level:
        return Outcome("holds", breaks=False)
    gateway["per_source_limit"] = level
    return Outcome(kind, True, "gw", "per_source", faculty=target["id"], wave=target["wave"])


def _background(rng: random.Random, db: dict[str, Any], load: list[int]) -> Outcome:
    """The database's background load takes most of its room: a wave breaks it
    that students alone would never break. Declared in the plan, or only measured."""
    base = rng.randrange(100, 300)
    shaped = _shape(rng, [base + DB_SHARE * v for v in load])
    if shaped is None:
        return Outcome("holds", breaks=False)
    db["connection_limit"], breaking = shaped
    db["base_connections"] = base if rng.random() < 0.5 else 0
    db["_true_base"] = base
    return Outcome("background", True, "db", "total", wave=breaking)


def _plan(
    number: int,
    rng: random.Random,
    waves: int,
    spacing: float,
    faculties: list[dict[str, Any]],
    servers: list[dict[str, Any]],
    late_wave: int | None,
) -> dict[str, Any]:
    starts = [i * spacing for i in range(waves)]
    true_base = {s["id"]: s.pop("_true_base", s.get("base_connections", 0)) for s in servers}
    launches = []
    if late_wave is not None:
        delay = rng.choice((2, 3, 4, 5, 6))
        at = starts[late_wave - 1] + delay
        launches.append({"wave": late_wave, "at_min": at})
        for later in range(late_wave, waves):  # the room keeps its spacing after a late wave
            starts[later] = max(starts[later], at + spacing * (later - late_wave + 1))
    duration = starts[-1] + spacing + 12
    plan: dict[str, Any] = {
        "exercise": {
            "id": f"corpus-{number:04d}",
            "name": f"Generated plan {number}",
            "duration_min": duration + 5,
            "connections_per_student": TYPICAL,
        },
        "waves": [{"number": i + 1, "start_min": s} for i, s in enumerate(starts)],
        "faculties": faculties,
        "servers": servers,
        "sources": [{"id": "platform", "kind": "scrape", "url": "http://127.0.0.1:1/metrics"}],
        "signals": _signals(),
        "simulation": {
            "seed": number,
            "stop_at_min": duration,
            "connect_delay": {
                "distribution": "lognormal",
                "median_s": 60,
                "sigma": 0.6,
                "max_s": 240,
            },
            "connections_per_student": {"values": [TYPICAL], "weights": [1.0]},
            "server_load": [
                {"server": "gw", "share": 1.0, "base_connections": true_base["gw"]},
                {"server": "db", "share": DB_SHARE, "base_connections": true_base["db"]},
            ],
            "launches": launches,
        },
    }
    return plan


def _signals() -> list[dict[str, Any]]:
    names = {
        "sessions_active": ("faculty", "exam_sessions_active"),
        "server_connections": ("server", "exam_server_connections"),
        "server_rejected_total": ("server", "exam_server_rejected_connections_total"),
        "server_reset_total": ("server", "exam_server_reset_connections_total"),
        "server_throttled": ("server", "exam_server_throttled"),
    }
    return [
        {"name": name, "source": "platform", "entity": entity, "metric": metric}
        for name, (entity, metric) in names.items()
    ]
