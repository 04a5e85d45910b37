"""Where a rehearsal may send its virtual students: loopback, or a host its operator names."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import run_vigie
from vigie.rehearse.target import TargetRefused, checked_target
from vigie.store import Store, sqlite_url


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080", "http://127.3.4.5", "https://localhost:443/", "http://[::1]:81"],
)
def test_a_loopback_target_needs_no_claim(url: str) -> None:
    assert checked_target(url, None).loopback


@pytest.mark.parametrize(
    ("url", "owned", "words"),
    [
        ("http://exam.example.org", None, "--i-own-this-target exam.example.org"),
        ("http://exam.example.org", "other.example.org", "must be the same host"),
        ("http://10.0.0.5:8080", None, "not a loopback address"),
        ("ftp://127.0.0.1", None, "not an http(s) URL"),
        ("http://127.0.0.1/login", None, "without a path"),
        ("http://127.0.0.1:99999", None, "--target"),
    ],
)
def test_anything_else_is_refused_with_what_to_do(url: str, owned: str | None, words: str) -> None:
    with pytest.raises(TargetRefused) as caught:
        checked_target(url, owned)
    assert words in str(caught.value)


def test_a_host_its_operator_names_is_accepted() -> None:
    target = checked_target("https://staging.exam.example.org", "staging.exam.example.org")
    assert not target.loopback and target.url == "https://staging.exam.example.org"


def test_the_command_refuses_a_foreign_target_before_anything_starts(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    refused = run_vigie(
        "rehearse", "scenarios/small-drill.toml", "--target", "http://192.0.2.1", "--db", str(db)
    )
    assert refused.returncode == 2
    assert "not a loopback address" in refused.stderr and "Traceback" not in refused.stderr
    assert not db.exists()  # nothing opened, nothing stored


def test_the_command_refuses_more_virtual_students_than_it_plays(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    refused = run_vigie(
        "rehearse",
        "scenarios/ecnp-2022-01-21.toml",
        "--target",
        "http://127.0.0.1:9",
        "--scale",
        "1",
        "--db",
        str(db),
    )
    assert refused.returncode == 2
    assert "9800 virtual students, above the 5000" in refused.stderr
    assert "Traceback" not in refused.stderr
    store = Store.open(sqlite_url(db))
    try:
        assert store.exercises() == []  # refused before any exercise was stored
    finally:
        store.close()
