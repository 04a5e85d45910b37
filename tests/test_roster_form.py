"""A tick's roster reads back as written, in its compact form and in the form before it."""

from __future__ import annotations

import json
import zlib

from vigie.tick import FacultyRoster
from vigie.tick.build import Roster, SiteRow


def row(k: int, connected: float | None) -> SiteRow:
    return SiteRow(
        id=f"site-{k}",
        name=f"Faculté <b>{k}</b>",  # text, whatever it holds
        wave=1 + k % 4,
        expected=100 + k,
        short_name="" if k % 2 else f"S{k}",
        region=None if k % 3 == 0 else f"region-{k % 5}",
        connected=connected,
        measured_at=None if connected is None else 1_000.0 + k,
        lagging=k % 7 == 0,
        lost=k % 11,
    )


def test_every_site_reads_back_with_every_field() -> None:
    rows = tuple(row(k, None if k % 9 == 0 else 50.0 + k) for k in range(300))
    read = FacultyRoster.decode(Roster(rows).encode()).faculties
    assert read == Roster(rows).views()
    assert read[9].connected is None and read[9].measured_at is None
    assert read[4].region == "region-4" and read[3].region is None


def test_a_roster_written_before_the_compact_form_still_reads() -> None:
    views = [row(k, 10.0 * k).view() for k in range(5)]
    old = json.dumps({"faculties": [v.model_dump() for v in views]})
    assert FacultyRoster.decode(zlib.compress(old.encode())).faculties == tuple(views)


def test_a_roster_of_views_encodes_as_the_rows_do() -> None:
    rows = tuple(row(k, 1.0 * k) for k in range(3))
    views = Roster(rows).views()
    assert FacultyRoster.decode(FacultyRoster(faculties=views).encode()).faculties == views
