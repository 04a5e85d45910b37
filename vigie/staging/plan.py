"""A plan for the staging platform: a real plan's faculties and waves, its servers
replaced by the staging HAProxy and PostgreSQL, read through the staging Prometheus.

The servers say the staging limits (HAProxy's frontend `maxconn`, its stick table's
per-source limit, PostgreSQL's `max_connections`) and name their exporter presets,
so Vigie reads those limits live as well. Waves and connection delays can be
brought closer together, so a rehearsal of four waves fits in a few minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from vigie.plan.model import (
    ConnectDelay,
    Entity,
    Exporter,
    Faculty,
    Plan,
    Server,
    ServerRole,
    Signal,
    Simulation,
    Source,
    SourceKind,
    Wave,
)
from vigie.rehearse.schedule import scaled_counts
from vigie.staging.stack import StagingSettings, StagingStack

SHARED_NAT = "192.0.2.200"  # a documentation address: the NAT that `shared_egress` share


@dataclass(frozen=True)
class Timing:
    """Minutes between waves, and how students connect after theirs (None: the plan's)."""

    wave_gap_min: float | None = None
    connect_delay: ConnectDelay | None = None


def staging_plan(
    base: Plan,
    stack: StagingStack,
    settings: StagingSettings,
    timing: Timing = Timing(),
    shared_egress: tuple[str, ...] = (),
    scale: float = 1.0,
) -> Plan:
    """`shared_egress`: faculties put behind one NAT address (a region's), so that a
    per-source limit counts them together. `scale`: its students, already scaled for
    the staging platform (then rehearsed with `--scale 1`)."""
    counts = scaled_counts(base, scale)
    faculties = tuple(
        Faculty.model_validate(
            {
                **f.model_dump(),
                "expected_students": counts[f.id],
                **({"egress_ips": (SHARED_NAT,)} if f.id in shared_egress else {}),
            }
        )
        for f in base.faculties
    )
    return base.model_copy(
        update={
            "exercise": base.exercise.model_copy(
                update={
                    "id": f"{base.exercise.id}-staging",
                    "connections_per_student": 2.0,
                    "starts_at": None,  # a rehearsal starts when it is run
                    "total_students": sum(counts.values()) or None,
                }
            ),
            "waves": _waves(base, timing.wave_gap_min),
            "faculties": faculties,
            "servers": _servers(stack, settings),
            "sources": (
                Source(id="staging", kind=SourceKind.PROMETHEUS, url=stack.prometheus_url),
            ),
            "signals": (
                Signal(
                    name="sessions_active",
                    source="staging",
                    entity=Entity.FACULTY,
                    query='sum by (faculty) (exam_sessions_active{job="exam-app"})',
                ),
            ),
            "simulation": _simulation(base.simulation, _connect_delay(base, timing)),
        }
    )


def _waves(base: Plan, gap_min: float | None) -> tuple[Wave, ...]:
    if gap_min is None:
        return base.waves
    return tuple(
        w.model_copy(update={"start_min": index * gap_min})
        for index, w in enumerate(base.waves_in_order)
    )


def _servers(stack: StagingStack, settings: StagingSettings) -> tuple[Server, ...]:
    gateway = Server(
        id="gw",
        role=ServerRole.GATEWAY,
        connection_limit=settings.frontend_maxconn,
        per_source_limit=settings.per_source_limit,
        connections_per_student=2.0,
        description="the staging HAProxy's exam frontend",
        exporter=Exporter(
            preset="haproxy",
            source="staging",
            match={"instance": stack.instances["haproxy"], "proxy": "exam"},
        ),
    )
    database = Server(
        id="db",
        role=ServerRole.DATABASE,
        connection_limit=settings.pg_max_connections - 3,  # superuser_reserved_connections
        connections_per_student=0.01,
        base_connections=settings.app_workers * settings.app_threads,
        description="the staging PostgreSQL",
        exporter=Exporter(
            preset="postgres", source="staging", match={"instance": stack.instances["postgres"]}
        ),
    )
    return gateway, database


def _connect_delay(base: Plan, timing: Timing) -> ConnectDelay | None:
    """The delay given, or with closer waves the plan's own, compressed as its waves are:
    students still connect over the same share of the time between waves."""
    if timing.connect_delay is not None or timing.wave_gap_min is None:
        return timing.connect_delay
    starts = [w.start_min for w in base.waves_in_order]
    gaps = [b - a for a, b in pairwise(starts) if b > a]
    if not gaps:
        return None
    factor = timing.wave_gap_min / (sum(gaps) / len(gaps))
    delay = (base.simulation or Simulation()).connect_delay
    return delay.model_copy(
        update={"median_s": delay.median_s * factor, "max_s": delay.max_s * factor}
    )


def _simulation(base: Simulation | None, delay: ConnectDelay | None) -> Simulation:
    simulation = base or Simulation()
    # The staging platform is the real one now: nothing of the simulated platform stays.
    return Simulation(
        seed=simulation.seed,
        connect_delay=delay or simulation.connect_delay,
        connections_per_student=simulation.connections_per_student,
        faculty_connections=simulation.faculty_connections,
        retry_min_s=simulation.retry_min_s,
        retry_max_s=simulation.retry_max_s,
    )
