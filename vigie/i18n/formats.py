"""Numbers, instants and durations for a language (Babel's CLDR data), and the
exercise clock, which reads the same in every language."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from babel.dates import format_time
from babel.numbers import format_decimal, format_percent

TIME_PATTERNS = {"fr": "HH 'h' mm 'min' ss 's'", "en": "HH:mm:ss"}
SHORT_TIME_PATTERNS = {"fr": "HH 'h' mm", "en": "HH:mm"}


def count(value: float, language: str = "en") -> str:
    """9,800 in English, 9 800 (narrow no-break space) in French."""
    if language == "en":  # the rules' messages, every poll: Python's grouping is CLDR's here
        return f"{round(value):,}"
    return format_decimal(round(value), locale=language)


def percent(fraction: float, language: str = "en") -> str:
    return format_percent(fraction, locale=language)


def decimal(value: float, language: str = "en", digits: int = 1) -> str:
    return format_decimal(round(value, digits), format=f"#,##0.{'0' * digits}", locale=language)


def exercise_clock(seconds: float) -> str:
    """T+ offsets as mm:ss, or h:mm:ss past an hour; negative before the start."""
    sign = "-" if seconds < 0 else ""
    whole = int(abs(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}" if hours else f"{sign}{minutes:02d}:{secs:02d}"


def wall_time(epoch: float, tz: tzinfo | None, language: str = "en", seconds: bool = True) -> str:
    """14:37:05 in English, 14 h 37 min 05 s in French, in the exercise's time zone."""
    patterns = TIME_PATTERNS if seconds else SHORT_TIME_PATTERNS
    moment = datetime.fromtimestamp(epoch, tz or UTC)
    return format_time(moment, patterns.get(language, patterns["en"]), locale=language)


def duration(seconds: float) -> str:
    """Compact and the same in both languages (s, min and h are SI symbols)."""
    whole = max(0, int(seconds))
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"
