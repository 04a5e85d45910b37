"""Every text the screens show, and how numbers and times are written, per language."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "title": "Vigie",
        "active_sessions": "Active sessions",
        "of_expected": "of {expected} expected",
        "waves": "Waves",
        "wave": "Wave {number}",
        "wave_planned": "starts at T+{start}",
        "wave_started": "started T+{start}, {since} ago",
        "wave_complete": "complete",
        "sessions_over_time": "Active sessions",
        "expected_line": "expected {expected}",
        "wave_marker": "W{number}",
        "live": "LIVE",
        "updated_ago": "updated {age} ago",
        "stale": "STALE: last data at {time} ({age} ago)",
        "blind": "MONITORING BLIND: {source} since {time}",
        "no_data": "No data yet",
        "no_exercise": "No exercise in the store yet.",
        "stopped": "EXERCISE STOPPED at T+{at}",
        "replay": "REPLAY at {time}",
        "alerts": "Alerts",
        "no_alerts": "No alert firing",
    },
    "fr": {
        "title": "Vigie",
        "active_sessions": "Sessions actives",
        "of_expected": "sur {expected} attendus",
        "waves": "Vagues",
        "wave": "Vague {number}",
        "wave_planned": "départ à T+{start}",
        "wave_started": "partie à T+{start}, il y a {since}",
        "wave_complete": "complète",
        "sessions_over_time": "Sessions actives",
        "expected_line": "attendus {expected}",
        "wave_marker": "V{number}",
        "live": "EN DIRECT",
        "updated_ago": "mis à jour il y a {age}",
        "stale": "PÉRIMÉ : dernières données à {time} (il y a {age})",
        "blind": "SUPERVISION AVEUGLE : {source} depuis {time}",
        "no_data": "Pas encore de données",
        "no_exercise": "Aucun exercice dans la base.",
        "stopped": "EXERCICE ARRÊTÉ à T+{at}",
        "replay": "REJEU à {time}",
        "alerts": "Alertes",
        "no_alerts": "Aucune alerte en cours",
    },
}


def text(language: str, key: str, **values: object) -> str:
    catalogue = MESSAGES.get(language, MESSAGES["en"])
    return catalogue[key].format(**values)


def count(value: float, language: str) -> str:
    """9,800 in English, 9 800 (narrow no-break space) in French."""
    grouped = f"{round(value):,}"
    return grouped.replace(",", "\u202f") if language == "fr" else grouped


def exercise_clock(seconds: float) -> str:
    """T+ offsets as mm:ss, or h:mm:ss past an hour; negative before the start."""
    sign = "-" if seconds < 0 else ""
    whole = int(abs(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}" if hours else f"{sign}{minutes:02d}:{secs:02d}"


def duration(seconds: float) -> str:
    whole = max(0, int(seconds))
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def wall_time(epoch: float, tz: tzinfo | None, language: str) -> str:
    moment = datetime.fromtimestamp(epoch, tz or UTC)
    return moment.strftime("%H h %M min %S s") if language == "fr" else moment.strftime("%H:%M:%S")
