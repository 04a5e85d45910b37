"""`vigie rehearse` end to end on the real staging platform: the seed plan at 5 % (491
virtual students of 35 faculties from 35 loopback addresses, 4 waves), real Locust,
real HAProxy with a per-source limit that wave 4 breaks, read only through the real
Prometheus. Waves are 20 s apart here; the benchmark plays them minutes apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import require
from tests.support.chromium import chromium_binary, rendered_dom, screenshot
from tests.support.rehearsal_cases import TEST_TIMING, Case, per_source_case
from tests.support.serving import served
from tests.test_control_room import ARTIFACTS
from vigie.alerts.rules.wave_gate import GateVerdict
from vigie.clock import VirtualClock
from vigie.dashboard.app import create_app
from vigie.i18n.formats import count
from vigie.plan import Plan
from vigie.rehearse.rehearsal import RehearsalSettings, run_rehearsal
from vigie.rehearse.report import RehearsalReport, describe_rehearsal
from vigie.rehearse.students import Pacing
from vigie.rehearse.target import checked_target
from vigie.review.summary import summarize
from vigie.staging import StagingStack, haproxy_show_stat
from vigie.staging.plan import staging_plan
from vigie.staging.stack import missing_components
from vigie.store import Store, sqlite_url

SCALE = 0.05
PLANNED_LIMIT = 16000


@pytest.fixture(scope="module")
def case(seed_plan: Plan) -> Case:
    return per_source_case(seed_plan, SCALE, TEST_TIMING)


@pytest.fixture(scope="module")
def stack(case: Case) -> Iterator[StagingStack]:
    missing = missing_components() + ([] if chromium_binary() else ["chromium"])
    require(not missing, f"the staging stack needs {', '.join(missing)} (see .ci/run)")
    with StagingStack(case.settings) as started:
        yield started


def rehearse(
    seed_plan: Plan, case: Case, stack: StagingStack, db: Path, through: bool
) -> tuple[RehearsalReport, Store]:
    plan = staging_plan(seed_plan, stack, case.settings, case.timing, case.shared)
    # The plan still says the production gateway's 16,000; HAProxy says otherwise.
    servers = tuple(
        s.model_copy(update={"connection_limit": PLANNED_LIMIT}) if s.id == "gw" else s
        for s in plan.servers
    )
    plan = plan.model_copy(update={"servers": servers})
    store = Store.open(sqlite_url(db))
    settings = RehearsalSettings(
        checked_target(stack.exam_url, None),
        scale=SCALE,
        through=through,
        settle_s=5,
        max_minutes=4,
        pacing=Pacing(think_s=(3, 8), grace_s=5),
    )
    return run_rehearsal(plan, store, settings, announce=lambda _: None), store


def denied(stack: StagingStack) -> int:
    frontend = next(
        row
        for row in haproxy_show_stat(stack.haproxy_stats_socket)
        if row["pxname"] == "exam" and row["svname"] == "FRONTEND"
    )
    return int(frontend["dcon"] or 0)


def test_the_gate_holds_wave_4_naming_the_faculties_behind_the_address_and_nothing_is_refused(
    seed_plan: Plan, case: Case, stack: StagingStack, tmp_path: Path
) -> None:
    before = denied(stack)
    report, store = rehearse(seed_plan, case, stack, tmp_path / "held.db", through=False)
    try:
        decisions = {d.wave: d for d in report.decisions}
        assert [w for w, d in decisions.items() if d.launched] == [1, 2, 3]
        held = decisions[4]
        assert held.gate is not None and held.gate.verdict is GateVerdict.HOLD
        assert held.gate.server == "gw" and held.gate.kind == "per_source"
        assert set(held.gate.faculties) == set(case.shared)
        assert held.gate.limit == case.limit and held.gate.projected > case.limit
        assert "HOLD" in held.words and "Bordeaux" in held.words
        foresight = report.foresight[4]
        assert foresight.said_s < held.planned_s  # said before wave 4's time
        assert denied(stack) == before  # HAProxy refused nothing
        gw = report.server("gw")
        assert gw.refused == 0 and gw.limit_from == "HAProxy"
        assert gw.measured_per_student == pytest.approx(2.0, abs=0.15)  # Locust's two each
        assert gw.peak is not None and gw.peak <= 2 * 358  # waves 1-3 only
        record = store.exercise(report.exercise_id)
        assert record is not None and record.mode == "rehearsal" and record.ended is not None
        assert report.first_breach is None
        assert "wave 4 (planned T+01:00): HELD" in describe_rehearsal(report)
    finally:
        store.close()


def test_through_the_hold_haproxys_real_refusals_are_the_throttling_alert_and_the_breach(
    seed_plan: Plan, case: Case, stack: StagingStack, tmp_path: Path
) -> None:
    before = denied(stack)
    report, store = rehearse(seed_plan, case, stack, tmp_path / "through.db", through=True)
    try:
        assert all(d.launched for d in report.decisions)
        assert report.decisions[3].against_the_gate
        refused_by_haproxy = denied(stack) - before
        assert refused_by_haproxy > 0
        assert report.server("gw").refused == refused_by_haproxy  # its counter, as collected
        breach = report.first_breach
        assert breach is not None and breach.server == "gw" and breach.kind == "per_source"
        assert breach.at_s >= report.decisions[3].decided_s
        throttling = [
            t
            for t in store.alerts.transitions(report.exercise_id)
            if t.rule == "throttling" and t.state == "firing"
        ]
        assert throttling, "the throttling rule never fired on HAProxy's refusals"
        first = throttling[0]
        assert "refusing connections" in first.message and "Bordeaux" in first.message
        summary = summarize(store, report.exercise_id, report.plan)
        assert any(a.rule == "throttling" for a in summary.alerts)
        assert report.lead_time_s is not None and report.lead_time_s > 0
        look_at_the_wall(store, report, breach.at_s)
    finally:
        store.close()


def look_at_the_wall(store: Store, report: RehearsalReport, breach_s: float) -> None:
    """The wall at the breach and after the stop, in a real Chromium: the incident names
    the address and its faculties, and the plan's limit is shown beside HAProxy's."""
    record = store.exercise(report.exercise_id)
    assert record is not None
    for name, at_s in (("breach", breach_s + 3), ("after-the-stop", report.ended_s + 60)):
        clock = VirtualClock(record.t0 + at_s)
        with served(create_app(store, clock, report.exercise_id)) as url:
            dom = rendered_dom(f"{url}/wall")
            assert "REFUSE DES CONNEXIONS de 127.0." in dom and "Bordeaux" in dom
            says = f"le plan dit {count(PLANNED_LIMIT, 'fr')}, HAProxy dit {count(4000, 'fr')}"
            assert says in dom, dom[-3000:]
            for label, size in (("1080", (1920, 1080)), ("4k", (3840, 2160))):
                out = ARTIFACTS / f"rehearsal-{name}-{label}.png"
                screenshot(f"{url}/wall", out, size=size)
