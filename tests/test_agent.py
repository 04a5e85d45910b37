"""The faculty agent: a real agent process pushes over real HTTP, and an outage loses nothing."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest

from tests.conftest import SMALL_PLAN
from tests.support.postgres import free_port
from tests.support.process import VigieProcess
from tests.support.serving import served
from tests.support.waiting import wait_until
from vigie.accounts.tokens import new_token, token_hash
from vigie.agent.agent import Agent, AgentIdentity
from vigie.agent.sender import Sender
from vigie.agent.spool import Spool
from vigie.clock import SystemClock
from vigie.collectors.host import HostCollector
from vigie.dashboard.app import create_app
from vigie.run.webserver import BoundServer
from vigie.store import Point, Store


def live_exercise(store: Store) -> int:
    return store.create_exercise(
        plan_id="small-drill",
        name="Small",
        mode="live",
        plan_toml=SMALL_PLAN.read_text(encoding="utf-8"),
        t0=time.time(),
    )


def test_spool_keeps_order_across_restarts_and_drops_oldest_past_its_bound(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=1000)
    first = spool.append(10.0, b"a" * 300)
    spool.append(11.0, b"b" * 300)
    reopened = Spool(tmp_path, max_bytes=1000)
    third = reopened.append(12.0, b"c" * 300)
    assert [p.read_bytes()[:1] for p in reopened.pending()] == [b"a", b"b", b"c"]
    reopened.append(13.0, b"d" * 300)  # over 1,000 bytes: the oldest goes
    assert not first.exists() and reopened.dropped == 1
    assert [p.read_bytes()[:1] for p in reopened.pending()] == [b"b", b"c", b"d"]
    reopened.reject(third)
    assert (tmp_path / "rejected" / third.name).exists()


def test_agent_tick_pushes_to_a_real_central(sqlite_store: Store, tmp_path: Path) -> None:
    exercise = live_exercise(sqlite_store)
    token = new_token()
    sqlite_store.add_agent_token("alpha", token_hash(token))
    with served(create_app(sqlite_store, SystemClock(), exercise)) as base:
        agent = Agent(
            AgentIdentity("alpha", "gw-1"),
            [HostCollector("host", "gw-1")],
            Spool(tmp_path / "spool"),
            Sender(base, token),
        )
        report = agent.tick(time.time())
    assert (report.sent, report.refused, report.unreachable) == (1, 0, False)
    states = sqlite_store.latest(exercise, "host_tcp_connections", time.time() + 1)
    assert (("faculty", "alpha"), ("host", "gw-1"), ("state", "LISTEN")) in states
    assert sqlite_store.latest(exercise, "agent_source_up", time.time() + 1)


def test_a_refused_batch_is_set_aside_not_resent_forever(
    sqlite_store: Store, tmp_path: Path
) -> None:
    exercise = live_exercise(sqlite_store)
    token = new_token()
    sqlite_store.add_agent_token("beta", token_hash(token))  # the agent claims to be alpha
    with served(create_app(sqlite_store, SystemClock(), exercise)) as base:
        spool = Spool(tmp_path / "spool")
        agent = Agent(AgentIdentity("alpha", "gw-1"), [], spool, Sender(base, token))
        report = agent.tick(time.time())
    assert report.refused == 1 and spool.count() == 0
    assert len(list((tmp_path / "spool" / "rejected").iterdir())) == 1


def test_an_unknown_token_keeps_the_batch_for_later(sqlite_store: Store, tmp_path: Path) -> None:
    exercise = live_exercise(sqlite_store)
    with served(create_app(sqlite_store, SystemClock(), exercise)) as base:
        spool = Spool(tmp_path / "spool")
        agent = Agent(AgentIdentity("alpha", "gw-1"), [], spool, Sender(base, "vga_not-yet-valid"))
        report = agent.tick(time.time())
    assert report.unreachable and report.refused == 0 and spool.count() == 1


@pytest.fixture
def token_file(tmp_path: Path, sqlite_store: Store) -> Iterator[Path]:
    token = new_token()
    sqlite_store.add_agent_token("alpha", token_hash(token))
    path = tmp_path / "token"
    path.write_text(token + "\n")
    yield path


def test_backlog_survives_a_central_outage_and_arrives_complete_in_order(
    sqlite_store: Store, tmp_path: Path, token_file: Path
) -> None:
    exercise = live_exercise(sqlite_store)
    port = free_port()
    spool_dir = tmp_path / "spool"
    agent = VigieProcess(
        "agent",
        "--central",
        f"http://127.0.0.1:{port}",
        "--faculty",
        "alpha",
        "--token-file",
        str(token_file),
        "--interval",
        "0.2",
        "--spool",
        str(spool_dir),
        "--host",
        "gw-1",
    )
    server: BoundServer | None = None
    try:
        agent.wait_for_line(lambda line: line.startswith("Vigie agent for alpha"))
        wait_until(lambda: waiting(spool_dir) >= 5)  # the central is down: batches wait on disk
        outage_ended = time.time()
        server = BoundServer(
            create_app(sqlite_store, SystemClock(), exercise).server, "127.0.0.1", port
        )
        threading.Thread(target=server.run, daemon=True).start()
        wait_until(lambda: waiting(spool_dir) == 0 and _delivered(sqlite_store, exercise) > 8)
    finally:
        assert agent.stop() == 0
        if server is not None:
            server.close()
    marks = _batch_marks(sqlite_store, exercise)
    assert marks[0].at < outage_ended  # measured during the outage, stamped when measured
    assert max(m.value for m in marks) >= 5  # the backlog it carried
    gaps = [b.at - a.at for a, b in pairwise(marks)]
    assert all(0 < gap < 1.0 for gap in gaps)  # every batch arrived, in order
    assert not list((spool_dir / "rejected").iterdir())


def waiting(spool_dir: Path) -> int:
    """Batches waiting in another process's spool, as its folder shows them."""
    return sum(1 for _ in spool_dir.glob("*.json.gz"))


def _batch_marks(store: Store, exercise: int) -> list[Point]:
    (points,) = store.history(exercise, "agent_backlog_batches").values()
    return points


def _delivered(store: Store, exercise: int) -> int:
    history = store.history(exercise, "agent_backlog_batches")
    return sum(len(points) for points in history.values())
