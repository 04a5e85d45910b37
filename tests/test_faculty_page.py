"""A faculty's page: its students, its machines as its agent reports them, and the
national banner; silent agents are said to be silent."""

from __future__ import annotations

from typing import Any

from tests.conftest import Drilled
from tests.support.dash_client import by_id, call, faculty_request, texts
from tests.test_dashboard import client_at, still_running
from vigie.plan import Plan
from vigie.series import Sample
from vigie.store import Store


def faculty_page(store: Store, exercise_id: int, at: float, faculty: str) -> Any:
    client, _ = client_at(store, exercise_id, at)
    return call(client, faculty_request(faculty))


def pushed(faculty: str, host: str, at: float) -> list[Sample]:
    """What a faculty agent's batch becomes in the store (the push endpoint adds labels)."""

    def sample(name: str, value: float, **labels: str) -> Sample:
        return Sample(
            name, tuple(sorted({"faculty": faculty, "host": host, **labels}.items())), at, value
        )

    return [
        sample("host_cpu_ratio", 0.42),
        sample("host_memory_used_ratio", 0.61),
        sample("host_tcp_connections", 1234, state="ESTABLISHED"),
        sample("host_open_fds", 900),
        sample("host_fd_limit", 4096),
        sample("host_network_bytes_per_second", 2_500_000, direction="receive"),
        sample("host_network_bytes_per_second", 1_000_000, direction="transmit"),
        sample("probe_success", 0.0, target="https://exam.example/health"),
        sample("probe_duration_seconds", 2.5, target="https://exam.example/health"),
    ]


def test_the_page_shows_the_faculty_machines_as_reported(
    drilled: Drilled, small_plan: Plan
) -> None:
    store, exercise_id, t0 = drilled
    recorder = still_running(store, exercise_id, t0, small_plan)
    store.write_cycle(exercise_id, pushed("alpha", "gw-alpha", t0 + 601))
    store.write_cycle(exercise_id, pushed("beta", "gw-beta", t0 + 601))
    recorder.evaluate(t0 + 602)
    page = faculty_page(store, exercise_id, t0 + 602.5, "alpha")
    body = page["faculty-body"]["children"]
    (line, *_) = page["faculty-chart"]["figure"]["data"]
    assert line["name"] == "Faculté Alpha" and 0 < len(line["y"]) <= 300 and max(line["y"]) > 0
    agent = texts(by_id(body, "faculty-agent"))
    assert agent[0:3] == ["Our machines", "Agent reporting", "gw-alpha"]
    assert "42%" in agent and "61%" in agent and "900 / 4,096" in agent and "1,234" in agent
    assert "20.0 / 8.0" in agent  # Mbit/s in and out
    assert "https://exam.example/health: FAILED in 2,500 ms" in agent
    assert "gw-beta" not in texts(body)  # another faculty's machine is not shown here
    national = texts(by_id(body, "faculty-national"))
    assert national[0] == "National control room" and "Wave gate" in national
    assert any(line.endswith("students connected nationally") for line in national)


def test_an_agent_that_stopped_reporting_is_said_to_be_silent(
    drilled: Drilled, small_plan: Plan
) -> None:
    store, exercise_id, t0 = drilled
    recorder = still_running(store, exercise_id, t0, small_plan)
    store.write_cycle(exercise_id, pushed("alpha", "gw-alpha", t0 + 601))
    recorder.evaluate(t0 + 630)
    body = faculty_page(store, exercise_id, t0 + 630, "alpha")["faculty-body"]["children"]
    status = texts(by_id(body, "faculty-agent"))[1]
    assert status.startswith("AGENT SILENT: last report at") and status.endswith("(29 s ago)")


def test_a_faculty_without_an_agent_is_told_so(drilled: Drilled) -> None:
    store, exercise_id, t0 = drilled
    body = faculty_page(store, exercise_id, t0 + 300, "gamma")["faculty-body"]["children"]
    assert texts(by_id(body, "faculty-agent"))[1] == "No agent has reported for this faculty."


def test_an_unknown_faculty_is_named_not_shown(drilled: Drilled) -> None:
    store, exercise_id, t0 = drilled
    body = faculty_page(store, exercise_id, t0 + 300, "<script>x</script>")["faculty-body"][
        "children"
    ]
    assert texts(body) == ["No faculty <script>x</script> in this plan."]
