"""A deterministic model of the exam platform, stepped in fixed ticks.

Students connect after their wave is launched (the plan's time, or the room's);
each holds some connections through the gateway to the servers behind it, from
its faculty's egress address. Past its connection limit, the throttling
server's security layer trips: for `hold_min` it refuses every new connection
and drops a share of established sessions each minute; dropped students retry,
and are refused again while the throttle holds, which is how active sessions
collapsed on 21 January 2022. Every other limit is hard: a server at its total,
or an address at a server's per-source limit, refuses the new connection and
keeps the ones it has; the refused student retries a little later.

The model only ever moves forward in whole ticks, so what it reports at a given
exercise second depends on the plan and the seed alone, never on when or how
often it is read.
"""

from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass, field

from vigie.plan.model import Plan, Simulation
from vigie.simulator.students import Student, draw_roster

BYTES_PER_KBIT = 1000 / 8


@dataclass(frozen=True, kw_only=True)
class ServerReading:
    connections: int
    limit: int
    rejected_total: int
    reset_total: int
    throttled: bool


@dataclass(frozen=True)
class FacultyReading:
    sessions_active: int
    wave: int
    uplink_bytes_total: float
    latency_s: float


@dataclass(frozen=True)
class Snapshot:
    """The platform at the end of one tick, as its exporters would report it."""

    at_s: float
    stopped: bool
    faculties: dict[str, FacultyReading]
    servers: dict[str, ServerReading]

    @property
    def sessions_active(self) -> int:
        return sum(f.sessions_active for f in self.faculties.values())


@dataclass(kw_only=True)
class _ServerState:
    share: float
    base: int
    limit: int
    per_source: int | None = None
    rejected: int = 0
    reset: int = 0

    def load(self, student_connections: float) -> int:
        return round(self.share * student_connections)


@dataclass
class _Active:
    """Active students with O(1) add, remove and uniform random pick."""

    members: list[int] = field(default_factory=list)
    position: dict[int, int] = field(default_factory=dict)

    def add(self, student: int) -> None:
        self.position[student] = len(self.members)
        self.members.append(student)

    def remove(self, student: int) -> None:
        index = self.position.pop(student)
        last = self.members.pop()
        if last != student:
            self.members[index] = last
            self.position[last] = index

    def __len__(self) -> int:
        return len(self.members)


class ExamPlatform:
    def __init__(self, plan: Plan, seed: int | None = None) -> None:
        self.plan = plan
        self.sim = plan.simulation or Simulation()
        self._rng = random.Random(self.sim.seed if seed is None else seed)
        roster = draw_roster(plan, self.sim, self._rng)
        self._roster: list[Student] = roster.students
        self._address_connections = [0] * len(roster.addresses)
        self._attempts: list[tuple[float, int]] = [
            (s.first_attempt_s, i) for i, s in enumerate(self._roster)
        ]
        heapq.heapify(self._attempts)
        self._active = _Active()
        self._faculty_sessions = [0] * len(plan.faculties)
        self._uplink_bytes = [0.0] * len(plan.faculties)
        self._latency_s = [self._base_latency_ms(i) / 1000 for i in range(len(plan.faculties))]
        self._student_connections = 0
        self._servers = self._server_states()
        self._throttle = self.sim.throttle
        self._throttled_until = -math.inf
        self._stop_s = None if self.sim.stop_at_min is None else self.sim.stop_at_min * 60
        self.at_s = 0.0
        self.stopped = False

    # -- reading -----------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        servers = {
            server_id: ServerReading(
                connections=self._connections(state),
                limit=state.limit,
                rejected_total=state.rejected,
                reset_total=state.reset,
                throttled=self._throttle is not None
                and self._throttle.server == server_id
                and self._is_throttled(),
            )
            for server_id, state in self._servers.items()
        }
        faculties = {
            faculty.id: FacultyReading(
                sessions_active=self._faculty_sessions[i],
                wave=faculty.wave,
                uplink_bytes_total=self._uplink_bytes[i],
                latency_s=self._latency_s[i],
            )
            for i, faculty in enumerate(self.plan.faculties)
        }
        return Snapshot(self.at_s, self.stopped, faculties, servers)

    # -- stepping ----------------------------------------------------------------

    def advance_to(self, at_s: float) -> None:
        """Run whole ticks up to exercise second `at_s` (never backwards)."""
        tick = self.sim.tick_s
        while self.at_s + tick <= at_s + 1e-9:
            self._step(self.at_s + tick, tick)

    def _step(self, now_s: float, tick_s: float) -> None:
        self.at_s = now_s
        if self.stopped:
            return
        if self._stop_s is not None and now_s >= self._stop_s:
            self._stop()
            return
        self._drop_sessions(now_s, tick_s)
        while self._attempts and self._attempts[0][0] <= now_s:
            _, student = heapq.heappop(self._attempts)
            self._attempt(student, now_s)
        self._update_network(tick_s)

    def _attempt(self, student: int, now_s: float) -> None:
        connections = self._roster[student].connections
        refusing = self._throttled_server() if self._is_throttled() else self._refusing(student)
        if refusing is not None:
            refusing.rejected += connections
            self._schedule_retry(student, now_s)
            return
        self._active.add(student)
        self._faculty_sessions[self._roster[student].faculty] += 1
        self._address_connections[self._roster[student].address] += connections
        self._student_connections += connections
        server = self._throttled_server_or_none()
        if server is not None and self._connections(server) > server.limit:
            assert self._throttle is not None
            self._throttled_until = now_s + self._throttle.hold_min * 60

    def _refusing(self, student: int) -> _ServerState | None:
        """The first server a hard limit of which this student's connections would pass."""
        connections = self._roster[student].connections
        from_address = self._address_connections[self._roster[student].address] + connections
        throttled = self._throttled_server_or_none()
        for state in self._servers.values():
            over_total = state.base + state.load(self._student_connections + connections)
            if state is not throttled and over_total > state.limit:
                return state
            if state.per_source is not None and state.load(from_address) > state.per_source:
                return state
        return None

    def _drop_sessions(self, now_s: float, tick_s: float) -> None:
        if not self._is_throttled() or not self._active or self._throttle is None:
            return
        share = 1 - (1 - self._throttle.drop_fraction_per_min) ** (tick_s / 60)
        expected = len(self._active) * share
        count = int(expected) + (1 if self._rng.random() < expected % 1 else 0)
        server = self._throttled_server()
        for index in sorted(self._rng.sample(range(len(self._active)), count), reverse=True):
            student = self._active.members[index]
            self._disconnect(student)
            server.reset += self._roster[student].connections
            self._schedule_retry(student, now_s)

    def _disconnect(self, student: int) -> None:
        self._active.remove(student)
        self._faculty_sessions[self._roster[student].faculty] -= 1
        self._address_connections[self._roster[student].address] -= self._roster[
            student
        ].connections
        self._student_connections -= self._roster[student].connections

    def _schedule_retry(self, student: int, now_s: float) -> None:
        retry = self._throttle or self.sim
        delay = self._rng.uniform(retry.retry_min_s, retry.retry_max_s)
        heapq.heappush(self._attempts, (now_s + delay, student))

    def _stop(self) -> None:
        """The exercise is stopped: every session closes and nobody reconnects."""
        for student in list(self._active.members):
            self._disconnect(student)
        self._attempts.clear()
        self._latency_s = [self._base_latency_ms(i) / 1000 for i in range(len(self.plan.faculties))]
        self.stopped = True

    def _update_network(self, tick_s: float) -> None:
        throttled = self._is_throttled()
        for i in range(len(self.plan.faculties)):
            sessions = self._faculty_sessions[i]
            noise = self._rng.uniform(0.9, 1.1)
            rate_kbps = sessions * self.sim.student_kbps * noise
            self._uplink_bytes[i] += rate_kbps * BYTES_PER_KBIT * tick_s
            utilisation = min(0.95, rate_kbps / 1000 / self._uplink_mbps(i))
            latency_ms = self._base_latency_ms(i) / (1 - utilisation) * noise
            if throttled:
                # Requests held by the security layer until they time out.
                latency_ms += self._rng.uniform(1500, 3000)
            self._latency_s[i] = latency_ms / 1000

    # -- plan lookups --------------------------------------------------------------

    def _server_states(self) -> dict[str, _ServerState]:
        loads = {load.server: load for load in self.sim.server_load}
        states = {}
        for server in self.plan.servers:
            load = loads.get(server.id)
            share = load.share if load else 0.0
            base = server.base_connections
            if load is not None and load.base_connections is not None:
                base = load.base_connections
            states[server.id] = _ServerState(
                share=share,
                base=base,
                limit=server.connection_limit,
                per_source=server.per_source_limit,
            )
        return states

    def _connections(self, state: _ServerState) -> int:
        return state.base + state.load(self._student_connections)

    def _is_throttled(self) -> bool:
        return self.at_s < self._throttled_until

    def _throttled_server_or_none(self) -> _ServerState | None:
        return None if self._throttle is None else self._servers[self._throttle.server]

    def _throttled_server(self) -> _ServerState:
        server = self._throttled_server_or_none()
        assert server is not None, "only called while a throttle is configured"
        return server

    def _network(self, faculty: int) -> tuple[float, float]:
        faculty_id = self.plan.faculties[faculty].id
        for network in self.sim.faculty_networks:
            if network.faculty == faculty_id:
                return (
                    network.uplink_mbps or self.sim.default_uplink_mbps,
                    network.base_latency_ms or self.sim.default_base_latency_ms,
                )
        return self.sim.default_uplink_mbps, self.sim.default_base_latency_ms

    def _uplink_mbps(self, faculty: int) -> float:
        return self._network(faculty)[0]

    def _base_latency_ms(self, faculty: int) -> float:
        return self._network(faculty)[1]
