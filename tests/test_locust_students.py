"""Virtual students, really played by Locust against a real HTTP platform on 127.0.0.1.

The platform here is a small threaded server that records, for every TCP connection,
the address it came from and the student it carried (from the login body or the
session cookie), so a test can check who connected, when, from where and how often.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.support.rehearse_plans import plan_data, write_plan
from tests.support.waiting import wait_until
from vigie.plan import plan_from_dict
from vigie.rehearse.control import write_control
from vigie.rehearse.schedule import Arrival, loopback_addresses, plan_arrivals
from vigie.rehearse.students import Pacing, StudentsProcess

FACULTIES = [
    ("alpha", 4, 1, ()),
    ("beta", 3, 1, ("192.0.2.10", "192.0.2.11")),
    ("gamma", 3, 2, ()),
]
SIMULATION = {
    "seed": 3,
    "connect_delay": {"distribution": "uniform", "max_s": 3},
    "connections_per_student": {"values": [2], "weights": [1]},
    "retry_min_s": 0.5,
    "retry_max_s": 1.0,
}
FAST = Pacing(think_s=(0.2, 0.4), run_time_s=120, grace_s=10)


@dataclass
class Connection:
    address: str
    students: set[str] = field(default_factory=set)
    requests: int = 0


@dataclass
class Platform:
    """What the exam app saw. `refuse_first_login`: a 503 for each student's first try."""

    refuse_first_login: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    connections: list[Connection] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)
    logins: list[tuple[str, float]] = field(default_factory=list)  # (student, when)
    refused: Counter[str] = field(default_factory=Counter)
    logouts: Counter[str] = field(default_factory=Counter)

    def students_holding(self, count_by_student: dict[str, int]) -> bool:
        """Every student named has its number of connections, each used with its cookie."""
        with self.lock:
            held = Counter(s for c in self.connections if c.requests > 1 for s in c.students)
        return all(held[s] >= n for s, n in count_by_student.items())


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: one handler per TCP connection
    timeout = 30
    platform: Platform

    def setup(self) -> None:
        super().setup()
        self.connection_record = Connection(self.client_address[0])
        with self.platform.lock:
            self.platform.connections.append(self.connection_record)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/healthz":
            return self._reply(200, {"ok": True})
        student = self._student()
        if self.path == "/question" and student:
            return self._reply(200, {"id": 7, "text": "2 + 2?"})
        self._reply(401 if student is None else 404, {})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        if self.path == "/login":
            return self._log_in(body["student"])
        student = self._student()
        if student is None:
            return self._reply(401, {})
        if self.path == "/logout":
            with self.platform.lock:
                self.platform.logouts[student] += 1
        self._reply(200, {})

    def _log_in(self, student: str) -> None:
        platform = self.platform
        with platform.lock:
            self.connection_record.students.add(student)
            self.connection_record.requests += 1
            if platform.refuse_first_login and not platform.refused[student]:
                platform.refused[student] += 1
                refuse = True
            else:
                refuse = False
                token = secrets.token_hex(8)
                platform.tokens[token] = student
                platform.logins.append((student, time.time()))
        if refuse:
            return self._reply(503, {})
        self._reply(200, {}, {"Set-Cookie": f"exam_session={token}; Path=/"})

    def _student(self) -> str | None:
        cookie = SimpleCookie(self.headers.get("Cookie", ""))
        token = cookie["exam_session"].value if "exam_session" in cookie else ""
        with self.platform.lock:
            student = self.platform.tokens.get(token)
            if student is not None:
                self.connection_record.students.add(student)
                self.connection_record.requests += 1
        return student

    def _reply(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def serve(platform: Platform) -> Iterator[tuple[Platform, str]]:
    handler = type("PlatformHandler", (Handler,), {"platform": platform})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield platform, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def throwing_out() -> Iterator[tuple[Platform, str]]:
    yield from serve(Platform(refuse_first_login=True))


@pytest.fixture
def platform() -> Iterator[tuple[Platform, str]]:
    yield from serve(Platform())


@pytest.fixture
def plan_path(tmp_path: Path) -> Path:
    return write_plan(tmp_path / "plan.toml", plan_data(FACULTIES, SIMULATION))


def arrivals() -> list[Arrival]:
    return plan_arrivals(plan_from_dict(plan_data(FACULTIES, SIMULATION)), 1.0)


def test_students_come_only_once_their_wave_is_launched_from_their_own_addresses(
    throwing_out: tuple[Platform, str], plan_path: Path, tmp_path: Path
) -> None:
    platform, url = throwing_out
    control = tmp_path / "control.json"
    write_control(control, {})
    students = StudentsProcess(plan_path, control, url, tmp_path / "run", scale=1.0, pacing=FAST)
    by_student = {a.student: a for a in arrivals()}
    wave_one = {s: a.connections for s, a in by_student.items() if a.wave == 1}
    students.start()
    try:
        # the shape has read the control file (nothing launched) and asked for nobody
        wait_until(lambda: "updating to 0 users" in students.log_tail(), timeout=10)
        assert platform.connections == []
        launched_at = time.time()
        write_control(control, {1: launched_at})
        wait_until(lambda: platform.students_holding(wave_one), timeout=30)

        # after a 503, each student waited its retry delay and logged in again
        assert platform.refused == dict.fromkeys(wave_one, 1)
        for student, when in platform.logins:
            assert when >= launched_at + by_student[student].delay_s
        assert sorted(s for s, _ in platform.logins) == sorted(wave_one)
        # each student's connections come from its own loopback address, one per connection
        loopback = loopback_addresses(plan_from_dict(plan_data(FACULTIES, SIMULATION)))
        for connection in platform.connections:
            (student,) = connection.students
            assert connection.address == by_student[student].address
            assert connection.address in loopback[by_student[student].faculty]
        per_student = Counter(s for c in platform.connections for s in c.students)
        assert per_student == wave_one  # exactly its connections: keep-alive, never more
        assert {by_student[s].address for s in wave_one} == {"127.0.1.1", "127.0.1.2", "127.0.1.3"}

        write_control(control, {1: launched_at}, stop=True)
        assert students.wait(timeout=30), students.log_tail()
    finally:
        summary = students.stop()
    assert platform.logouts == dict.fromkeys(wave_one, 1)
    assert not any(by_student[s].wave == 2 for c in platform.connections for s in c.students)
    assert summary.server_errors == len(wave_one)
    assert summary.by_name["/login"] == (2 * len(wave_one), len(wave_one))
    assert summary.by_name["/question"][0] > 0 and summary.requests > summary.failures > 0


def test_two_workers_play_every_student_exactly_once(
    platform: tuple[Platform, str], plan_path: Path, tmp_path: Path
) -> None:
    web, url = platform
    control = tmp_path / "control.json"
    now = time.time()
    write_control(control, {1: now, 2: now})
    students = StudentsProcess(
        plan_path, control, url, tmp_path / "run", scale=1.0, workers=2, pacing=FAST
    )
    everyone = {a.student: a.connections for a in arrivals()}
    students.start()
    try:
        assert len(students.pids) == 3
        wait_until(lambda: web.students_holding(everyone), timeout=40)
        write_control(control, {1: now, 2: now}, stop=True)
        assert students.wait(timeout=30), students.log_tail()
    finally:
        summary = students.stop()
    assert Counter(s for s, _ in web.logins) == dict.fromkeys(everyone, 1)
    assert Counter(s for c in web.connections for s in c.students) == everyone
    assert summary.by_name["/login"] == (len(everyone), 0)
    assert summary.connection_errors == 0
