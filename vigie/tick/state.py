"""What every screen shows at one instant, as data: no text, no markup.

Numbers carry the instant they were measured (`*_at`), so a screen judges their
age against its own "now": a tick left behind by a stopped collector turns stale
on the wall instead of looking live.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, JsonValue

SMALL_ROSTER = 48  # up to this many sites, a tick carries each one's view (a wall's grid)


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WaveState(StrEnum):
    PLANNED = "planned"
    CONNECTING = "connecting"
    COMPLETE = "complete"  # once reached, a wave stays complete: its losses are said apart
    STOPPED = "stopped"  # the exercise was stopped: final


class WaveView(Frozen):
    number: int
    start_s: float  # exercise seconds: the plan's intention
    expected: int
    connected: int
    state: WaveState
    launched_s: float | None = None  # when the room really launched it (recorded or seen)
    peak: int = 0  # the most of its students connected at once, so far
    lost: int = 0  # students its faculties lost in the last LOSS_WINDOW_S
    sites: int = 0  # its faculties
    attention: int = 0  # of them, those needing a person (blind, losing, lagging)

    @property
    def share(self) -> float:
        return self.connected / self.expected if self.expected else 0.0


class ServerView(Frozen):
    id: str
    role: str
    limit: int
    connections: float | None  # None: never measured
    measured_at: float | None
    # ok, careful, warning, critical, unknown: the worst of headroom and refusals;
    # "stopped" in the final state of a stopped exercise.
    severity: str
    eta_s: float | None  # time to limit at the current ramp, when it is heading there
    thresholds: tuple[float, float, float]  # careful, warning, critical
    # The throttling rule's view: refusing (or at its limit) since when, and how much.
    refusing_since: float | None = None
    refused: float | None = None  # in the rule's window
    reset: float | None = None
    window_s: float | None = None
    # Where the limit was read: the software that said it ("HAProxy"), and the
    # plan's own figure when the two disagree (None: they agree, or none was read).
    limit_from: str | None = None
    planned_limit: int | None = None

    @property
    def share(self) -> float | None:
        return None if self.connections is None else self.connections / self.limit

    @property
    def headroom(self) -> float | None:
        return None if self.connections is None else self.limit - self.connections


class GateView(Frozen):
    """The wave gate's current verdict on the next wave (or the rest of the last)."""

    wave: int
    students: int  # still to come in that wave; 0 once it has started
    verdict: str  # GO, HOLD, UNKNOWN
    severity: str
    server: str | None = None  # the server of the limit that binds first
    kind: str | None = None  # that limit's kind: total, per_source
    address: str | None = None  # per_source: the address (None: a faculty's own)
    faculties: tuple[str, ...] = ()  # per_source: the faculties behind it
    projected: float | None = None
    limit: int | None = None
    fit: float | None = None  # students of the wave that fit before that limit
    counted_fit: int | None = None  # per_source: of the students behind it, how many fit
    ratio_source: str | None = None  # "measured" or "plan estimate"
    reason: str | None = None  # why it is unknown
    critical: float | None = None  # the binding limit's critical level (a GO above it is tight)


class AlertView(Frozen):
    rule: str
    subject: str
    severity: str
    since: float
    message: str  # as the rule wrote it (English), for notifiers and the log
    facts: dict[str, JsonValue]  # the rule's typed facts, as stored (vigie.alerts.facts)
    acknowledged_by: str | None = None
    acknowledged_at: float | None = None
    # The instant of `facts`: this tick's own when the rule still says so now, else
    # the transition's (a screen labels those numbers with their instant).
    facts_at: float | None = None


class FacultyView(Frozen):
    id: str
    name: str
    wave: int
    expected: int
    connected: float | None
    measured_at: float | None
    lagging: bool
    short_name: str = ""  # the plan's, for tiles read from across the room
    lost: int = 0  # students lost in the last LOSS_WINDOW_S
    region: str | None = None  # the plan's grouping

    @property
    def label(self) -> str:
        return self.short_name or self.name


class GroupView(Frozen):
    """A region's (or the plan's grouping's) sites, summed: a large wall's rows."""

    name: str
    sites: int
    expected: int
    connected: int
    attention: int  # sites needing a person (blind, losing, lagging)
    blind: int  # of which without fresh data
    lost: int

    @property
    def share(self) -> float:
        return self.connected / self.expected if self.expected else 0.0


class FacultyRoster(Frozen):
    """Every site's view at one tick, kept apart from the tick: a screen showing
    thousands of sites reads the tick's attention list and sums, and only a page
    about one site (or the whole roster) reads this."""

    faculties: tuple[FacultyView, ...]

    def encode(self) -> bytes:
        fields = list(FacultyView.model_fields)
        rows = [[getattr(f, name) for name in fields] for f in self.faculties]
        return encode_roster(fields, rows)

    @classmethod
    def decode(cls, body: bytes) -> FacultyRoster:
        """Either form: columns and rows (ROSTER_FORM), or a view per site (before it)."""
        stored = json.loads(zlib.decompress(body))
        if isinstance(stored, dict) and stored.get("form") == ROSTER_FORM:
            fields = stored["fields"]
            stored = {"faculties": [dict(zip(fields, row, strict=True)) for row in stored["rows"]]}
        return cls.model_validate(stored)


# A roster is written as its columns once and a list of values per site: at 3,000
# sites a JSON object per site spent half the encoding on repeating the field names.
ROSTER_FORM = "columns"


def encode_roster(fields: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    body = json.dumps({"form": ROSTER_FORM, "fields": fields, "rows": rows})
    return zlib.compress(body.encode(), 1)


class IncidentView(Frozen):
    """A limit given way: a server at its limit or refusing connections, from the
    first instant to its recovery (or the stop). The wall's headline while open."""

    server: str
    since: float
    cause: str  # the throttling rule's: security, saturated, per_source, high, below
    over_limit: bool = False  # reached its connection limit (a breach, not only refusals)
    # A per-source limit refusing: the address and the faculties behind it.
    address: str | None = None
    faculties: tuple[str, ...] = ()
    ended: float | None = None
    stopped: bool = False  # ended by the exercise's stop, not by a recovery


class BlindView(Frozen):
    source: str
    since: float


class NoteView(Frozen):
    at: float
    kind: str  # note, decision
    author: str
    text: str
    wave: int | None


class ProbeView(Frozen):
    target: str
    success: bool | None
    duration_s: float | None
    http_status: int | None


class HostView(Frozen):
    """One machine of a faculty, as its agent last reported it."""

    faculty: str
    host: str
    measured_at: float  # the newest of its values
    cpu: float | None = None  # ratios 0..1
    memory: float | None = None
    tcp_established: float | None = None
    open_fds: float | None = None
    fd_limit: float | None = None
    conntrack: float | None = None
    conntrack_limit: float | None = None
    receive_bps: float | None = None  # bytes per second
    transmit_bps: float | None = None
    probes: tuple[ProbeView, ...] = ()


class TickState(Frozen):
    exercise_id: int
    at: float  # the poll instant this state is of
    t0: float
    poll_interval_s: float
    active: float | None  # sum of every faculty's latest active sessions
    active_measured_at: float | None  # the oldest of the fresh ones (see build._total_measured_at)
    expected: int
    waves: tuple[WaveView, ...]
    servers: tuple[ServerView, ...]
    gate: GateView | None
    # A HOLD on the waves already out (an address over its limit), beside the next wave's verdict.
    gate_launched: GateView | None = None
    alerts: tuple[AlertView, ...]  # firing, most severe first, then newest
    # Every site while the roster fits a screen whole (SMALL_ROSTER), else none:
    # then `attention` and the sums say what a screen shows, and the whole roster
    # is kept apart (FacultyRoster), so a tick's size follows what is shown.
    faculties: tuple[FacultyView, ...]
    blind: tuple[BlindView, ...]
    notes: tuple[NoteView, ...]  # newest first, a few
    decisions: tuple[NoteView, ...]  # the latest decision per wave
    hosts: tuple[HostView, ...] = ()  # faculty agents' machines
    incidents: tuple[IncidentView, ...] = ()  # open ones first, then the last ones over
    stopped: bool = False  # the final state, written at the exercise's stop
    sites: int = 0  # faculties in the plan
    attention: tuple[FacultyView, ...] = ()  # needing a person, worst first, a few
    site_states: dict[str, int] = {}  # sites per state (vigie.tick.attention.SiteState)
    groups: tuple[GroupView, ...] = ()  # per region, in the plan's order

    @property
    def elapsed_s(self) -> float:
        return self.at - self.t0

    def encode(self) -> bytes:
        # A tick is written every poll: compressed it is ~1/6 of its JSON.
        return zlib.compress(self.model_dump_json().encode(), 1)

    @classmethod
    def decode(cls, body: bytes) -> TickState:
        return cls.model_validate_json(zlib.decompress(body))
