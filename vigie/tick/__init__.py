"""The per-tick state of an exercise: computed once per poll cycle, kept in the store,
read by every screen. A view of any instant is the tick at or before it."""

from vigie.tick.state import (
    AlertView,
    BlindView,
    FacultyRoster,
    FacultyView,
    GateView,
    GroupView,
    HostView,
    IncidentView,
    NoteView,
    ProbeView,
    ServerView,
    TickState,
    WaveState,
    WaveView,
)

__all__ = [
    "AlertView",
    "BlindView",
    "FacultyRoster",
    "FacultyView",
    "GateView",
    "GroupView",
    "HostView",
    "IncidentView",
    "NoteView",
    "ProbeView",
    "ServerView",
    "TickState",
    "WaveState",
    "WaveView",
]
