"""The incident as the headline: a limit that gave way, said in large type from the
first instant until it is healthy again, then kept as one line of what happened.

An incident is a throttling episode (vigie.tick.board): the server reached its
limit or refused connections. Its duration runs on the exercise clock, and stops
at the recovery or at the exercise's stop.
"""

from __future__ import annotations

from dash import html

from vigie.dashboard.screen import Screen
from vigie.tick import IncidentView

HEADLINES_SHOWN = 2  # more than two servers down at once reads as one national incident


def headline(screen: Screen, prefix: str) -> html.Div | None:
    tick = screen.tick
    if tick is None or not tick.incidents:
        return None
    open_ = [i for i in tick.incidents if i.ended is None]
    if open_:
        return html.Div(
            [html.Div(_open_words(screen, i)) for i in open_[:HEADLINES_SHOWN]],
            className="vigie-incident is-open",
            id=f"{prefix}-incident",
        )
    return html.Div(
        _past_words(screen, tick.incidents[0]),
        className="vigie-incident is-over",
        id=f"{prefix}-incident",
    )


def _what(screen: Screen, incident: IncidentView) -> str:
    t = screen.t
    if incident.over_limit:
        return t(
            "LIMIT BREACHED: {server} at {time}",
            server=incident.server,
            time=screen.clock_of(incident.since),
        )
    if incident.faculties:
        plan = screen.exercise.plan
        names = [plan.faculty(f).short_name or plan.faculty(f).name for f in incident.faculties]
        return t(
            "{server} REFUSING CONNECTIONS from {address} ({faculties}) since {time}",
            server=incident.server,
            address=incident.address or names[0],
            faculties=", ".join(names),
            time=screen.clock_of(incident.since),
        )
    return t(
        "{server} REFUSING CONNECTIONS since {time}",
        server=incident.server,
        time=screen.clock_of(incident.since),
    )


def _open_words(screen: Screen, incident: IncidentView) -> str:
    t = screen.t
    duration = t.duration(screen.shown_at - incident.since)
    if not incident.over_limit:  # "refusing since T+01:43" says it once, with how long
        return _what(screen, incident) + f" ({duration})"
    return (
        _what(screen, incident) + ", " + t("refusing connections for {duration}", duration=duration)
    )


def _past_words(screen: Screen, incident: IncidentView) -> str:
    t = screen.t
    assert incident.ended is not None
    duration = t.duration(incident.ended - incident.since)
    if incident.stopped:
        end = t(
            "until the stop at {time} ({duration})",
            time=screen.clock_of(incident.ended),
            duration=duration,
        )
    else:
        end = t(
            "healthy again at {time} ({duration})",
            time=screen.clock_of(incident.ended),
            duration=duration,
        )
    return _what(screen, incident) + ", " + end
