"""`vigie rehearse`: virtual students play the plan's waves against a real platform,
while Vigie collects, alerts and gates the waves exactly as on exam day.

The plan is scaled (its faculties at a fraction of their students, from loopback
addresses grouped as their real egress addresses are), stored as an exercise of
mode `rehearsal`, and collected through the plan's own sources. Each wave goes out
at its planned time unless the gate says HOLD; Locust plays the students in
processes of its own. The run is bounded in virtual students and in time, and
ends a settling time after the last launched wave's students have all arrived.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from vigie.alerts.engine import AlertEngine
from vigie.alerts.rules.wave_gate import RULE as GATE_RULE
from vigie.alerts.rules.wave_gate import GateFacts
from vigie.clock import Clock, SystemClock
from vigie.i18n.formats import exercise_clock
from vigie.plan import Plan
from vigie.rehearse.control import write_control
from vigie.rehearse.report import RehearsalReport, rehearsal_report
from vigie.rehearse.scaled import plan_text, rehearsal_plan
from vigie.rehearse.schedule import loopback_addresses, plan_arrivals
from vigie.rehearse.students import Pacing, StudentsProcess
from vigie.rehearse.target import Target
from vigie.rehearse.waves import WaveDecision, WavePlayer
from vigie.run.live import start_collection
from vigie.run.monitoring import NO_NOTIFIERS, NotifierSettings
from vigie.store import Store
from vigie.store.records import Choice, Decision

AUTHOR = "vigie rehearse"
STEP_S = 1.0  # how often waves are decided and the students' processes checked


@dataclass(frozen=True)
class RehearsalSettings:
    target: Target
    scale: float = 0.05
    workers: int = 1
    through: bool = False  # launch past a HOLD: where does the platform really give way?
    settle_s: float = 60.0  # after the last launched wave's last student has arrived
    max_minutes: float = 60.0  # the whole run's bound, whatever the plan says
    seed: int | None = None
    pacing: Pacing = field(default_factory=Pacing)
    notifiers: NotifierSettings = NO_NOTIFIERS


def run_rehearsal(
    plan: Plan,
    store: Store,
    settings: RehearsalSettings,
    announce: Callable[[str], None] = print,
    interrupted: threading.Event | None = None,
    clock: Clock | None = None,
) -> RehearsalReport:
    """raises ValueError before anything starts when the plan makes too many virtual
    students; StudentsFailed (with Locust's log) when the students' processes die."""
    clock = clock or SystemClock()
    interrupted = interrupted or threading.Event()
    t0 = clock.now()
    addresses = loopback_addresses(plan) if settings.target.loopback else None
    rehearsed = rehearsal_plan(plan, settings.scale, addresses, datetime.fromtimestamp(t0, UTC))
    last_delay = _last_arrival_by_wave(rehearsed, settings.seed)
    workdir = Path(tempfile.mkdtemp(prefix="vigie-rehearse-"))
    text = plan_text(rehearsed)
    control = workdir / "control.json"
    students = _students(text, settings, workdir, control)
    exercise = _rehearsal_exercise(store, rehearsed, text, t0)
    announce(
        f"Rehearsing {plan.exercise.id} at {settings.scale:g}: "
        f"{rehearsed.total_expected:,} virtual students against {settings.target.url}, "
        f"exercise {exercise} (mode rehearsal)"
    )
    collection = start_collection(rehearsed, store, exercise, settings.notifiers)
    engine = collection.monitoring.engine

    def launch(wave: int, at: float) -> None:
        write_control(control, {**_epochs(player), wave: at})
        store.add_decision(exercise, at, AUTHOR, Decision(Choice.GO, _go_words(player, wave)), wave)

    player = WavePlayer(
        rehearsed, t0, lambda wave: gate_on(engine, wave), launch, through=settings.through
    )
    ended = t0
    try:
        students.start()
        while not interrupted.is_set():
            now = clock.now()
            for decision in player.step(now):
                _say(store, exercise, announce, decision, now)
            if _finished(player, last_delay, settings, now - t0):
                break
            students.check()
            interrupted.wait(STEP_S)
    finally:
        # The exercise ends now, students still connected: their leaving is not judged.
        ended = clock.now()
        collection.scheduler.shutdown(wait=True)
        collection.monitoring.ticks.stop(ended)
        store.end_exercise(exercise, ended)
        write_control(control, _epochs(player), stop=True)
        students.wait(timeout=settings.pacing.grace_s + 20)
        locust = students.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return rehearsal_report(store, exercise, rehearsed, player, engine, locust, ended)


def _rehearsal_exercise(store: Store, rehearsed: Plan, plan_toml: str, t0: float) -> int:
    meta = rehearsed.exercise
    return store.create_exercise(
        plan_id=meta.id, name=meta.name, mode="rehearsal", plan_toml=plan_toml, t0=t0
    )


def _students(
    plan_toml: str, settings: RehearsalSettings, workdir: Path, control: Path
) -> StudentsProcess:
    """The virtual students' processes (not started), playing the plan written in
    `workdir` and taking their launches from `control`."""
    (workdir / "plan.toml").write_text(plan_toml, encoding="utf-8")
    write_control(control, {})
    return StudentsProcess(
        workdir / "plan.toml",
        control,
        settings.target.url,
        workdir,
        scale=1.0,  # the plan written there is scaled already
        workers=settings.workers,
        seed=settings.seed,
        pacing=Pacing(settings.pacing.think_s, settings.max_minutes * 60, settings.pacing.grace_s),
    )


def _epochs(player: WavePlayer) -> dict[int, float]:
    """The control file's launches, in epoch seconds (the player counts from T+0)."""
    return {wave: player.t0 + at_s for wave, at_s in player.launched_s.items()}


def gate_on(engine: AlertEngine, wave: int) -> tuple[GateFacts, str] | None:
    """What the gate said of `wave` (still to launch) at its latest judgement."""
    last = engine.last
    if last is None:
        return None
    for verdict in last.verdicts.get(GATE_RULE, []):
        facts = verdict.facts
        if isinstance(facts, GateFacts) and facts.wave == wave and facts.students > 0:
            return facts, verdict.message
    return None


def _go_words(player: WavePlayer, wave: int) -> str:
    said = player.foresight.get(wave)
    return "rehearsal, launched past the gate's HOLD (--through)" if said else "rehearsal"


def _say(
    store: Store,
    exercise: int,
    announce: Callable[[str], None],
    decision: WaveDecision,
    now: float,
) -> None:
    clock = exercise_clock(decision.decided_s)
    if decision.launched:
        against = " against the gate's HOLD (--through)" if decision.against_the_gate else ""
        announce(f"T+{clock} wave {decision.wave} launched{against}")
        return
    held = Decision(Choice.HOLD, decision.words)
    store.add_decision(exercise, now, AUTHOR, held, decision.wave)
    announce(f"T+{clock} wave {decision.wave} HELD: {decision.words}")


def _finished(
    player: WavePlayer, last_delay: dict[int, float], settings: RehearsalSettings, elapsed: float
) -> bool:
    if elapsed >= settings.max_minutes * 60:
        return True
    if not player.decided:
        return False
    arrived = [at_s + last_delay.get(wave, 0.0) for wave, at_s in player.launched_s.items()]
    return elapsed >= max(arrived, default=0.0) + settings.settle_s


def _last_arrival_by_wave(plan: Plan, seed: int | None) -> dict[int, float]:
    last: dict[int, float] = {}
    for arrival in plan_arrivals(plan, 1.0, seed):
        last[arrival.wave] = max(last.get(arrival.wave, 0.0), arrival.delay_s)
    return last
