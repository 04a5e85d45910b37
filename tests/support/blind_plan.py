"""A plan whose only source is a loopback port nobody listens on: a real collector polls
it, writes its health and per-tick states, and the blind rule fires at once."""

from __future__ import annotations

from pathlib import Path

from tests.support.postgres import free_port

PLAN = """
[exercise]
id = "blind"
name = "Blind"
duration_min = 10

[[waves]]
number = 1
start_min = 0

[[faculties]]
id = "alpha"
name = "Alpha"
expected_students = 10
wave = 1

[[servers]]
id = "gw"
role = "gateway"
connection_limit = 100

[[sources]]
id = "platform"
kind = "scrape"
url = "http://127.0.0.1:PORT/metrics"

[[signals]]
name = "server_connections"
source = "platform"
entity = "server"
metric = "exam_server_connections"
"""


def blind_plan(folder: Path) -> Path:
    path = folder / "blind.toml"
    path.write_text(PLAN.replace("PORT", str(free_port())), encoding="utf-8")
    return path
