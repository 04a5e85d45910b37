"""The exam plan: one exercise, as a planner writes it in TOML.

Every model forbids unknown keys, so a misspelt key is an error rather than a
setting that silently does nothing. Cross-field checks that need the whole plan
(a faculty's wave exists, totals add up) live in `checks.py`, so that each error
can name the exact field path it is about.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, IPvAnyAddress, model_validator

Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]
Fraction = Annotated[float, Field(gt=0, le=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Language(StrEnum):
    EN = "en"
    FR = "fr"


class Exercise(Strict):
    id: Identifier
    name: str = Field(min_length=1)
    starts_at: datetime | None = None
    total_students: int | None = Field(default=None, gt=0)
    duration_min: float = Field(default=120, gt=0)
    language: Language = Language.EN
    # The connections a typical student opens to the platform: the yardstick a
    # faculty's own `connections_per_student` is compared with.
    connections_per_student: float | None = Field(default=None, gt=0)
    # What the faculties' `region` is called on screens ("academy", "département"):
    # a wall of thousands of sites sums them by it.
    grouping: str = Field(default="region", min_length=1, max_length=24)


class Exporter(Strict):
    """Which software a server or a faculty's machine is, read through which source:
    Vigie brings that software's metrics and limit (vigie/exporters/).

    `match` holds the labels that pick this one's series out of the source's (its
    `instance`, HAProxy's `proxy`); `host` names a faculty machine on its screens.
    """

    preset: Identifier
    source: Identifier
    match: dict[str, str] = Field(default_factory=dict, max_length=8)
    host: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")


class Faculty(Strict):
    id: Identifier
    name: str = Field(min_length=1)
    # What a wall tile shows, read from across the room ("Paris-Saclay" for
    # "Université Paris-Saclay"); the full name stays in tooltips and pages.
    short_name: str | None = Field(default=None, min_length=1, max_length=24)
    # The group it is summed in on a large wall (a region, an academy): any name.
    region: str | None = Field(default=None, min_length=1, max_length=48)
    expected_students: int = Field(ge=0)
    wave: int
    # The public addresses its students reach the platform from (the university's
    # NAT). A per-source limit counts all students behind one address together;
    # a faculty with none counts as one address of its own.
    egress_ips: tuple[IPvAnyAddress, ...] = ()
    # Where its students open more or fewer connections than the typical student
    # (kiosks, a second device): scales its share of every server's load.
    connections_per_student: float | None = Field(default=None, gt=0)
    # Its machine's exporter (node_exporter), instead of or beside `vigie agent`.
    exporter: Exporter | None = None


class Wave(Strict):
    number: int = Field(ge=1)
    start_min: float = Field(ge=0)


class Thresholds(Strict):
    """Severity levels as fractions of a server's connection limit."""

    careful: Fraction = 0.70
    warning: Fraction = 0.80
    critical: Fraction = 0.90


class ServerRole(StrEnum):
    GATEWAY = "gateway"
    LOAD_BALANCER = "load-balancer"
    WEB = "web"
    DATABASE = "database"
    OTHER = "other"


class Server(Strict):
    """A server and its limits: total connections, and optionally connections per
    source address (a WAF, an anti-DDoS rule, HAProxy's stick table on `src`)."""

    id: Identifier
    role: ServerRole
    connection_limit: int
    per_source_limit: int | None = Field(default=None, gt=0)
    # Connections it holds with no student connected (pools, health checks, the
    # university's other sites); measured before the first student, then kept.
    base_connections: int = Field(default=0, ge=0)
    thresholds: Thresholds = Thresholds()
    # The plan's estimate, for the pre-flight check and the wave gate until
    # students are connected and the real ratio can be measured.
    connections_per_student: float | None = Field(default=None, ge=0)
    description: str = ""
    # The software it runs and where its exporter is read: its connections, refusals
    # and (where the exporter says it) its real limit come from there.
    exporter: Exporter | None = None


class SourceKind(StrEnum):
    PROMETHEUS = "prometheus"
    SCRAPE = "scrape"
    AGENT = "agent"


class Source(Strict):
    id: Identifier
    kind: SourceKind
    url: str = ""
    interval_s: float = Field(default=1.0, gt=0)
    timeout_s: float = Field(default=2.0, gt=0)


class Entity(StrEnum):
    """What a signal's series are about; its values are summed per entity id."""

    FACULTY = "faculty"
    SERVER = "server"
    EXERCISE = "exercise"


class Signal(Strict):
    """One measured quantity, stored under `name`, and where it comes from.

    A PromQL `query` for Prometheus sources, or a `metric` name plus label
    `match` for /metrics pages. `label` names the source label that carries the
    plan's faculty or server id (it defaults to the entity's own name).
    """

    name: Identifier
    source: Identifier
    entity: Entity
    query: str | None = None
    metric: str | None = None
    match: dict[str, str] = Field(default_factory=dict)
    label: str | None = None
    # Every series it returns is about this one faculty or server (an exporter's
    # page has no label naming it), stored with these constant labels as well.
    entity_id: Identifier | None = None
    labels: dict[str, str] = Field(default_factory=dict, max_length=4)

    @model_validator(mode="after")
    def _one_origin(self) -> Signal:
        if (self.query is None) == (self.metric is None):
            raise ValueError("give exactly one of `query` (PromQL) or `metric` (/metrics name)")
        return self

    @property
    def id_label(self) -> str:
        return self.label or self.entity.value


class ConnectDelay(Strict):
    """How long after its wave starts a student connects: log-normal around a
    median, or uniform up to `max_s` (a slow, steady ramp)."""

    distribution: Literal["lognormal", "uniform"] = "lognormal"
    median_s: float = Field(default=75, gt=0)
    sigma: float = Field(default=0.7, gt=0, le=3)
    max_s: float = Field(default=900, gt=0)


class ConnectionsPerStudent(Strict):
    values: tuple[int, ...] = (2,)
    weights: tuple[float, ...] = (1.0,)

    @model_validator(mode="after")
    def _aligned(self) -> ConnectionsPerStudent:
        if len(self.values) != len(self.weights) or not self.values:
            raise ValueError("`values` and `weights` must be non-empty and the same length")
        if any(v < 1 for v in self.values) or any(w < 0 for w in self.weights):
            raise ValueError("values must be >= 1 and weights >= 0")
        if sum(self.weights) <= 0:
            raise ValueError("weights must not all be zero")
        return self

    @property
    def mean(self) -> float:
        total = sum(self.weights)
        return sum(v * w for v, w in zip(self.values, self.weights, strict=True)) / total


class Throttle(Strict):
    """The security layer of one server: what it does past its limit."""

    server: Identifier
    drop_fraction_per_min: Fraction = 0.25
    hold_min: float = Field(default=15, gt=0)
    retry_min_s: float = Field(default=15, gt=0)
    retry_max_s: float = Field(default=90, gt=0)

    @model_validator(mode="after")
    def _retry_ordered(self) -> Throttle:
        if self.retry_min_s > self.retry_max_s:
            raise ValueError("retry_min_s must not exceed retry_max_s")
        return self


class ServerLoad(Strict):
    """A server's connections: a base plus a share of all student connections.
    Without `base_connections`, the plan's declared background load is the truth."""

    server: Identifier
    share: float = Field(ge=0)
    base_connections: int | None = Field(default=None, ge=0)


class Launch(Strict):
    """When the simulated room really launches a wave (the plan's time is the
    intention); `recorded`: the room records its GO for the wave at that instant."""

    wave: int
    at_min: float = Field(ge=0)
    recorded: bool = True


class FacultyConnections(Strict):
    """The connections each of one faculty's students really holds, in a simulation."""

    faculty: Identifier
    connections: ConnectionsPerStudent


class FacultyNetwork(Strict):
    faculty: Identifier
    uplink_mbps: float | None = Field(default=None, gt=0)
    base_latency_ms: float | None = Field(default=None, gt=0)


class Simulation(Strict):
    seed: int = 0
    tick_s: float = Field(default=1.0, gt=0, le=60)
    stop_at_min: float | None = Field(default=None, gt=0)
    connect_delay: ConnectDelay = ConnectDelay()
    connections_per_student: ConnectionsPerStudent = ConnectionsPerStudent()
    student_kbps: float = Field(default=40, ge=0)
    default_uplink_mbps: float = Field(default=1000, gt=0)
    default_base_latency_ms: float = Field(default=12, gt=0)
    throttle: Throttle | None = None
    server_load: tuple[ServerLoad, ...] = ()
    faculty_networks: tuple[FacultyNetwork, ...] = ()
    faculty_connections: tuple[FacultyConnections, ...] = ()
    launches: tuple[Launch, ...] = ()
    # How long a refused student waits before trying again (no security throttle).
    retry_min_s: float = Field(default=15, gt=0)
    retry_max_s: float = Field(default=90, gt=0)


class HeadroomRule(Strict):
    hysteresis: Fraction = 0.05  # a level clears only this far below its threshold
    hold_s: float = Field(default=5, ge=0)


class TimeToLimitRule(Strict):
    window_s: float = Field(default=120, gt=0)
    horizon_s: float = Field(default=600, gt=0)
    min_points: int = Field(default=20, ge=3)
    hold_s: float = Field(default=5, ge=0)
    # A level clears only once the time to limit is this much longer than the
    # level's own horizon, so a ramp hovering at a boundary makes one alert.
    hysteresis: float = Field(default=0.5, ge=0, le=5)


class WaveGateRule(Strict):
    margin: float = Field(default=0.05, ge=0, le=1)  # safety margin on the projection
    min_sessions: int = Field(default=100, ge=1)  # measured ratios from this many students


class BlindRule(Strict):
    stale_intervals: float = Field(default=2, gt=0)
    # A signal about faculties has no series before their first students connect
    # (a platform's gauge per faculty appears with its first session): "never had a
    # value" waits this long after the first wave is out.
    first_students_s: float = Field(default=60, ge=0)


class ThrottlingRule(Strict):
    window_s: float = Field(default=30, gt=0)
    min_refused: float = Field(default=20, ge=0)  # refused or reset connections in the window
    high_fraction: Fraction = 0.8  # "while its connections are high"


class FacultyLagRule(Strict):
    after_min: float = Field(default=5, gt=0)
    below: Fraction = 0.8
    national_share: Fraction = 0.5  # past this share of faculties lagging, it is not local


class AlertRules(Strict):
    headroom: HeadroomRule = HeadroomRule()
    time_to_limit: TimeToLimitRule = TimeToLimitRule()
    wave_gate: WaveGateRule = WaveGateRule()
    blind: BlindRule = BlindRule()
    throttling: ThrottlingRule = ThrottlingRule()
    faculty_lag: FacultyLagRule = FacultyLagRule()


class Plan(Strict):
    exercise: Exercise
    waves: tuple[Wave, ...] = Field(min_length=1)
    faculties: tuple[Faculty, ...] = Field(min_length=1)
    servers: tuple[Server, ...] = Field(min_length=1)
    sources: tuple[Source, ...] = ()
    signals: tuple[Signal, ...] = ()
    simulation: Simulation | None = None
    alerts: AlertRules = AlertRules()

    def wave(self, number: int) -> Wave:
        return next(w for w in self.waves if w.number == number)

    def server(self, server_id: str) -> Server:
        return next(s for s in self.servers if s.id == server_id)

    def faculty(self, faculty_id: str) -> Faculty:
        found = self._faculties_by_id.get(faculty_id)
        if found is None:
            raise StopIteration(faculty_id)  # as the scan it replaces: callers check ids first
        return found

    def faculty_name(self, faculty_id: str) -> str:
        """A faculty's name, or its id for one the plan does not know."""
        found = self._faculties_by_id.get(faculty_id)
        return faculty_id if found is None else found.name

    def expected_of(self, faculty_id: str) -> int:
        """A faculty's expected students; 0 for an id the plan does not know."""
        found = self._faculties_by_id.get(faculty_id)
        return 0 if found is None else found.expected_students

    def faculties_in_wave(self, number: int) -> list[Faculty]:
        return list(self._faculties_by_wave.get(number, ()))

    def expected_in_wave(self, number: int) -> int:
        return self._expected_by_wave.get(number, 0)

    # Indexes of a frozen plan, made at first use: with thousands of sites, a scan
    # per lookup made every poll cycle quadratic in the sites. A copy with changes
    # starts without them (model_copy would carry them over).
    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Plan:
        copied = super().model_copy(update=update, deep=deep)
        for name in INDEXES:
            copied.__dict__.pop(name, None)
        return copied

    @cached_property
    def _faculties_by_id(self) -> dict[str, Faculty]:
        return {f.id: f for f in self.faculties}

    @cached_property
    def _faculties_by_wave(self) -> dict[int, tuple[Faculty, ...]]:
        by_wave: dict[int, list[Faculty]] = {}
        for f in self.faculties:
            by_wave.setdefault(f.wave, []).append(f)
        return {wave: tuple(members) for wave, members in by_wave.items()}

    @cached_property
    def _expected_by_wave(self) -> dict[int, int]:
        return {
            wave: sum(f.expected_students for f in members)
            for wave, members in self._faculties_by_wave.items()
        }

    @property
    def poll_interval_s(self) -> float:
        """The fastest source's interval: the resolution of the exercise's series."""
        return min((s.interval_s for s in self.sources), default=1.0)

    @cached_property
    def total_expected(self) -> int:
        return sum(f.expected_students for f in self.faculties)

    @property
    def waves_in_order(self) -> list[Wave]:
        return sorted(self.waves, key=lambda w: w.number)


INDEXES = ("_faculties_by_id", "_faculties_by_wave", "_expected_by_wave", "total_expected")
