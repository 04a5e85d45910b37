"""A plan of any number of sites in the shape of another: the same waves, the same
limits relative to the students, so the same outcome on paper at every size.

Site k is a copy of the base plan's faculty k mod n (its wave, size, region and
network; not its addresses: a per-source limit counts one site's), so a plan of
3,000 sites keeps the seed's mix of large and small faculties in every wave.
Every server's limit and resting connections grow with the students: the seed's
HOLD at T+16:00 and breach in wave 4 stay where they are.
Used by the scale benchmark and tests, and to rehearse a national exam on a drill.
"""

from __future__ import annotations

from vigie.plan.model import Faculty, FacultyNetwork, Plan, Server, ServerLoad, Simulation


def scaled_plan(base: Plan, sites: int) -> Plan:
    """`base` with `sites` faculties (its own when `sites` is its number of faculties)."""
    if sites < 1:
        raise ValueError(f"a plan needs at least one site, not {sites}")
    if sites == len(base.faculties):
        return base
    faculties = tuple(_site(base, k) for k in range(sites))
    factor = sum(f.expected_students for f in faculties) / base.total_expected
    return base.model_copy(
        update={
            "exercise": base.exercise.model_copy(
                update={
                    "id": f"{base.exercise.id}-x{sites}"[:63],
                    "name": f"{base.exercise.name} ({sites:,} sites)",
                    "total_students": sum(f.expected_students for f in faculties),
                }
            ),
            "faculties": faculties,
            "servers": tuple(_server(s, factor) for s in base.servers),
            "simulation": _simulation(base, faculties, factor),
        }
    )


def site_id(base_id: str, copy: int) -> str:
    """The id of the `copy`-th site made of the base faculty `base_id` (0: itself)."""
    return base_id if copy == 0 else f"{base_id[:56]}-{copy + 1}"


def _site(base: Plan, k: int) -> Faculty:
    model = base.faculties[k % len(base.faculties)]
    copy = k // len(base.faculties)
    if copy == 0:
        return model
    label = model.short_name or model.name
    return model.model_copy(
        update={
            "id": site_id(model.id, copy),
            "name": f"{model.name} · site {copy + 1}",
            "short_name": f"{label[:18]} {copy + 1}"[:24],
            "egress_ips": (),  # an address is one site's: copies have their own
        }
    )


def _server(server: Server, factor: float) -> Server:
    return server.model_copy(
        update={
            "connection_limit": max(1, round(server.connection_limit * factor)),
            "base_connections": round(server.base_connections * factor),
        }
    )


def _simulation(base: Plan, faculties: tuple[Faculty, ...], factor: float) -> Simulation | None:
    sim = base.simulation
    if sim is None:
        return None
    networks = {n.faculty: n for n in sim.faculty_networks}
    copies = len(faculties) // len(base.faculties) + 1
    ids = {f.id for f in faculties}
    return sim.model_copy(
        update={
            "server_load": tuple(_load(load, factor) for load in sim.server_load),
            "faculty_networks": tuple(
                FacultyNetwork(
                    faculty=site_id(n.faculty, c),
                    uplink_mbps=n.uplink_mbps,
                    base_latency_ms=n.base_latency_ms,
                )
                for n in networks.values()
                for c in range(copies)
                if site_id(n.faculty, c) in ids
            ),
            "faculty_connections": (),
        }
    )


def _load(load: ServerLoad, factor: float) -> ServerLoad:
    base_connections = load.base_connections
    if base_connections is None:
        return load
    return load.model_copy(update={"base_connections": round(base_connections * factor)})
