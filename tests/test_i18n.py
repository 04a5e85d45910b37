"""Every text on the screens comes from a catalogue; French is complete and French-written."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tests.conftest import ROOT
from vigie.i18n import texts
from vigie.i18n.catalogue import catalogue_path
from vigie.i18n.formats import count, exercise_clock, wall_time

PLACEHOLDER = re.compile(r"\{(\w+)\}")
PARIS_WINTER = timezone(timedelta(hours=1))


def used_messages() -> set[str | tuple[str, str]]:
    found: set[str | tuple[str, str]] = set()
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT / "vigie"),
        method_map=[
            ("dashboard/**.py", "python"),
            ("review/**.py", "python"),
            ("capacity/kinds/**.py", "python"),
            ("alerts/rules/**.py", "python"),
        ],
        keywords={"t": None, "plural": (1, 2)},
    ):
        found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


def test_every_text_of_screens_and_reports_has_a_french_translation_with_the_same_blanks() -> None:
    with open(catalogue_path("fr"), "rb") as po:
        catalog = read_po(po, locale="fr")
    used = used_messages()
    assert len(used) > 80  # the extraction found the screens' texts
    missing, wrong = [], []
    for message in used:
        entry = catalog.get(message if isinstance(message, str) else message[0])
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(message)
            continue
        source = message if isinstance(message, str) else message[0]
        translated = entry.string if isinstance(entry.string, str) else entry.string[0]
        if set(PLACEHOLDER.findall(source)) != set(PLACEHOLDER.findall(translated)):
            wrong.append(message)
    assert missing == [] and wrong == []


def test_page_modules_hold_no_literal_words_outside_the_catalogue() -> None:
    """Text children in pages and components go through t(); ids and classes are not words."""
    pattern = re.compile(r"html\.(?:H1|H2|Div|Span|P|Button|Label)\(\s*\"[A-Za-z]")
    for path in [
        *(ROOT / "vigie" / "dashboard" / "pages").glob("*.py"),
        ROOT / "vigie" / "dashboard" / "components.py",
    ]:
        assert not pattern.search(path.read_text(encoding="utf-8")), path.name


def test_numbers_are_grouped_the_way_each_language_writes_them() -> None:
    assert count(9800, "fr") == "9\u202f800"
    assert count(9800, "en") == "9,800"
    assert texts("fr").percent(0.92) == "92\u00a0%"


def test_times_are_written_the_french_way() -> None:
    moment = datetime(2022, 1, 21, 14, 37, 5, tzinfo=PARIS_WINTER).timestamp()
    assert wall_time(moment, PARIS_WINTER, "fr", seconds=False) == "14 h 37"
    assert wall_time(moment, PARIS_WINTER, "fr") == "14 h 37 min 05 s"
    assert wall_time(moment, PARIS_WINTER, "en") == "14:37:05"
    assert exercise_clock(37 * 60) == "37:00" and exercise_clock(-5) == "-00:05"


def test_plurals_follow_the_language() -> None:
    assert texts("fr").plural("and {n} more", "and {n} more", 1) == "et 1 autre"
    assert texts("fr").plural("and {n} more", "and {n} more", 3) == "et 3 autres"


def test_an_unknown_language_falls_back_to_english() -> None:
    assert texts("xx")("Active sessions") == "Active sessions"
    assert texts("fr")("Active sessions") == "Sessions actives"
