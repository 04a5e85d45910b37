"""`vigie simulate`, `collect`, `serve` and `token` as processes, over real HTTP."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from pathlib import Path

import requests

from tests.conftest import SEED_PLAN, SMALL_PLAN
from tests.support.cli import run_vigie
from tests.support.postgres import free_port
from tests.support.process import VigieProcess
from tests.support.waiting import wait_until
from vigie.collectors.kinds import build_collectors
from vigie.collectors.push_payload import encode_batch
from vigie.plan import parse_plan
from vigie.store import Store, sqlite_url


def plan_reading(port: int, tmp_path: Path) -> Path:
    text = SMALL_PLAN.read_text(encoding="utf-8").replace(
        "http://127.0.0.1:9108/metrics", f"http://127.0.0.1:{port}/metrics"
    )
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_registry_builds_one_collector_per_polled_source(tmp_path: Path) -> None:
    text = plan_reading(9, tmp_path).read_text() + (
        '\n[[sources]]\nid = "faculties"\nkind = "agent"\n'
    )
    plan = parse_plan(text)
    assert [c.source for c in build_collectors(plan)] == ["platform"]


def test_collect_reads_a_simulated_platform_into_the_store(tmp_path: Path) -> None:
    port = free_port()
    db = tmp_path / "live.db"
    simulator = VigieProcess("simulate", str(SMALL_PLAN), "--port", str(port), "--speed", "60")
    collector: VigieProcess | None = None
    try:
        simulator.wait_for_line(lambda line: line.startswith("Simulating small-drill"))
        collector = VigieProcess(
            "collect", "--plan", str(plan_reading(port, tmp_path)), "--db", str(db)
        )
        line = collector.wait_for_line(lambda line: line.startswith("Collecting 1 sources"))
        exercise = int(line.rsplit(" ", 1)[1])
        store = Store.open(sqlite_url(db))
        wait_until(
            lambda: (
                sum(
                    p.value for p in store.latest(exercise, "sessions_active", time.time()).values()
                )
                > 0
            )
        )
        (health,) = store.source_health(exercise)
        assert health.up and health.source == "platform"
        store.close()
    finally:
        if collector is not None:
            assert collector.stop() == 0
        assert simulator.stop() == 0


def test_serve_takes_pushes_from_a_token_made_on_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "central.db"
    made = run_vigie("token", "create", "--faculty", "gamma", "--db", str(db))
    assert made.returncode == 0, made.stderr
    secret = made.stdout.strip().splitlines()[-1]
    server = VigieProcess(
        "serve",
        "--plan",
        str(plan_reading(free_port(), tmp_path)),
        "--db",
        str(db),
        "--bind",
        f"127.0.0.1:{free_port()}",
        "--workers",
        "1",
        "--no-collect",
        "--open",
    )
    try:
        line = server.wait_for_line(lambda line: line.startswith("Open http://"))
        base = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)  # type: ignore[union-attr]
        batch = {
            "faculty": "gamma",
            "host": "proxy",
            "samples": [{"name": "host_cpu_ratio", "labels": {}, "at": time.time(), "value": 0.3}],
        }
        headers = {"Authorization": f"Bearer {secret}", "Content-Encoding": "gzip"}
        pushed = requests.post(
            f"{base}/api/v1/push", data=encode_batch(batch), headers=headers, timeout=10
        )
        assert pushed.status_code == 200, pushed.text
        listed = run_vigie("token", "list", "--db", str(db))
        assert "\tgamma\t" in listed.stdout and "live" in listed.stdout
        assert run_vigie("token", "revoke", "1", "--db", str(db)).returncode == 0
        refused = requests.post(
            f"{base}/api/v1/push", data=encode_batch(batch), headers=headers, timeout=10
        )
        assert refused.status_code == 401
    finally:
        assert server.stop() == 0


def test_serve_needs_an_operator_account_and_open_mode_only_on_loopback(tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    no_account = run_vigie("serve", "--plan", str(SMALL_PLAN), "--db", db, "--bind", "0.0.0.0:0")
    assert no_account.returncode == 2 and "no operator account yet" in no_account.stderr
    open_public = run_vigie(
        "serve", "--plan", str(SMALL_PLAN), "--db", db, "--bind", "0.0.0.0:0", "--open"
    )
    assert open_public.returncode == 2
    assert "open demo mode is refused on 0.0.0.0" in open_public.stderr


def test_serve_refuses_debug_mode_off_loopback(tmp_path: Path) -> None:
    result = run_vigie(
        "serve", "--plan", str(SMALL_PLAN), "--db", str(tmp_path / "x.db"),
        "--bind", "10.0.0.1:8050", "--debug",
    )  # fmt: skip
    assert result.returncode == 2 and "debug mode is refused on 10.0.0.1" in result.stderr


def test_serve_explains_a_bad_bind_address(tmp_path: Path) -> None:
    result = run_vigie(
        "serve", "--plan", str(SMALL_PLAN), "--db", str(tmp_path / "x.db"), "--bind", "8050"
    )
    assert result.returncode == 2 and "is not HOST:PORT" in result.stderr


def test_collect_alerts_a_real_webhook_from_the_pre_flight(tmp_path: Path) -> None:
    from tests.test_notifiers import receiver

    port, hook = free_port(), free_port()
    simulator = VigieProcess("simulate", str(SMALL_PLAN), "--port", str(port), "--speed", "10")
    collector: VigieProcess | None = None
    try:
        simulator.wait_for_line(lambda line: line.startswith("Simulating small-drill"))
        with receiver(hook) as received:
            collector = VigieProcess(
                "collect",
                "--plan",
                str(plan_reading(port, tmp_path)),
                "--db",
                str(tmp_path / "a.db"),
                "--webhook",
                f"http://127.0.0.1:{hook}/",
            )
            wait_until(lambda: any(d["rule"] == "wave_gate" for d in received))
            gate = next(d for d in received if d["rule"] == "wave_gate")
            assert (gate["state"], gate["subject"], gate["severity"]) == (
                "firing",
                "wave-2",
                "critical",
            )
            assert "HOLD" in gate["message"]
    finally:
        if collector is not None:
            assert collector.stop() == 0
        assert simulator.stop() == 0


def test_serve_runs_gunicorn_workers_beside_one_collector_process(tmp_path: Path) -> None:
    """Two workers answer the wall from the state the single collector process writes."""
    import psutil

    from tests.support.dash_client import by_id, texts, wall_request

    port = free_port()
    simulator = VigieProcess("simulate", str(SMALL_PLAN), "--port", str(port), "--speed", "60")
    server: VigieProcess | None = None
    try:
        simulator.wait_for_line(lambda line: line.startswith("Simulating small-drill"))
        server = VigieProcess(
            "serve", "--plan", str(plan_reading(port, tmp_path)), "--db", str(tmp_path / "s.db"),
            "--bind", f"127.0.0.1:{free_port()}", "--workers", "2", "--open",
        )  # fmt: skip
        line = server.wait_for_line(lambda line: line.startswith("Open http://"))
        base = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)  # type: ignore[union-attr]

        def active() -> int:
            answer = requests.post(
                f"{base}/_dash-update-component", json=wall_request(), timeout=10
            )
            shown = texts(
                by_id(answer.json()["response"]["wall-screen"]["children"], "wall-active")
            )
            return int(shown[0].replace(",", "")) if shown and shown[0][0].isdigit() else 0

        wait_until(lambda: active() > 0)
        children = psutil.Process(server.process.pid).children()
        commands = [" ".join(c.cmdline()) for c in children]
        assert sum("vigie collect" in c for c in commands) == 1  # exactly one collector
        assert len(children) == 3  # and two workers
        assert server.stop() == 0
        psutil.wait_procs(children, timeout=10)
        assert not any(c.is_running() for c in children)
    finally:
        if server is not None:
            server.stop()
        assert simulator.stop() == 0


def seed_reading_nothing(tmp_path: Path) -> Path:
    """The seed plan, its platform source pointed at a loopback port nobody serves."""
    text = SEED_PLAN.read_text(encoding="utf-8").replace(
        "http://127.0.0.1:9108/metrics", f"http://127.0.0.1:{free_port()}/metrics"
    )
    path = tmp_path / "seed.toml"
    path.write_text(text, encoding="utf-8")
    return path


def assert_starts_now(db: Path, exercise: int, started: float) -> None:
    """T+0 within seconds of now, and the stored plan text saying the same start."""
    store = Store.open(sqlite_url(db))
    record = store.exercise(exercise)
    store.close()
    assert record is not None
    assert started - 1 <= record.t0 <= time.time()
    stored = parse_plan(record.plan_toml).exercise.starts_at
    assert stored is not None and stored.timestamp() == record.t0
    assert stored.utcoffset() == timedelta(hours=1)  # French wall times, as the plan says


def test_serve_starts_the_seed_plan_now_with_starts_at_now(tmp_path: Path) -> None:
    db = tmp_path / "central.db"
    started = time.time()
    server = VigieProcess(
        "serve", "--plan", str(SEED_PLAN), "--db", str(db), "--bind", f"127.0.0.1:{free_port()}",
        "--workers", "1", "--no-collect", "--open", "--starts-at", "now",
    )  # fmt: skip
    try:
        line = server.wait_for_line(lambda line: line.startswith("Vigie serving exercise"))
        server.wait_for_line(lambda line: line.startswith("Open http://"))
    finally:
        assert server.stop() == 0
    assert not any("warning" in seen for seen in server.seen)
    assert_starts_now(db, int(line.split()[3]), started)


def test_serve_warns_when_the_seed_plan_is_served_with_its_2022_date(tmp_path: Path) -> None:
    server = VigieProcess(
        "serve", "--plan", str(SEED_PLAN), "--db", str(tmp_path / "c.db"),
        "--bind", f"127.0.0.1:{free_port()}", "--workers", "1", "--no-collect", "--open",
    )  # fmt: skip
    try:
        warning = server.wait_for_line(lambda line: "warning: exercise.starts_at" in line)
        fix = server.wait_for_line(lambda line: "--starts-at" in line)
        server.wait_for_line(lambda line: line.startswith("Open http://"))
    finally:
        assert server.stop() == 0
    assert "2022-01-21 14:00+01:00, 4 years" in warning and "T+4" in warning
    assert "--starts-at now" in fix


def test_collect_starts_the_seed_plan_now_with_starts_at_now(tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    started = time.time()
    collector = VigieProcess(
        "collect", "--plan", str(seed_reading_nothing(tmp_path)), "--db", str(db),
        "--starts-at", "now",
    )  # fmt: skip
    try:
        line = collector.wait_for_line(lambda line: line.startswith("Collecting 1 sources"))
    finally:
        assert collector.stop() == 0
    assert not any("warning" in seen for seen in collector.seen)
    assert_starts_now(db, int(line.rsplit(" ", 1)[1]), started)


def test_collect_refuses_starts_at_for_an_exercise_it_goes_on_with(tmp_path: Path) -> None:
    result = run_vigie(
        "collect", "--plan", str(SEED_PLAN), "--db", str(tmp_path / "x.db"),
        "--exercise", "1", "--starts-at", "now",
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "vigie: --starts-at sets a new exercise's start; exercise 1 has its own"
    )


def test_a_restart_says_it_goes_on_with_the_running_exercise_and_its_old_start(
    sqlite_store: Store,
) -> None:
    from datetime import datetime, timezone

    from vigie.plan import load_plan
    from vigie.run.live import warn_about_start

    seed = load_plan(SEED_PLAN)
    assert seed.exercise.starts_at is not None
    old = seed.exercise.starts_at.timestamp()
    exercise = sqlite_store.create_exercise(
        plan_id=seed.exercise.id, name="x", mode="live", plan_toml="", t0=old
    )
    now = datetime(2026, 12, 1, 14, 0, tzinfo=timezone(timedelta(hours=1)))  # --starts-at now
    today = seed.model_copy(
        update={"exercise": seed.exercise.model_copy(update={"starts_at": now})}
    )
    said: list[str] = []
    warn_about_start(today, sqlite_store, exercise, said.append, now)
    note, warning = said
    assert note == (
        f"vigie: going on with exercise {exercise}, running since 2022-01-21T14:00:00+01:00: "
        "a new start applies only to a new exercise"
    )
    assert "4 years 10 months ago" in warning
