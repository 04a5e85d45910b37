"""The review benchmark's generated exercise: the seed exercise run on, at 1 s, with
simulated faculty machines filling it to the number of series asked for."""

from __future__ import annotations

from benchmarks.long_exercise import PLATFORM_SERIES, SERIES_PER_MACHINE, generate
from vigie.review.timeline import LimitBreached, build_timeline
from vigie.store import Store


def test_the_generated_exercise_is_the_seed_run_on_with_every_second_scrubbable(
    sqlite_store: Store,
) -> None:
    generated = generate(sqlite_store, hours=0.5, series=400, quiet=True)
    exercise = generated.run.exercise_id
    assert abs(generated.series - 400) <= SERIES_PER_MACHINE // 2
    assert generated.samples == sqlite_store.sample_count(exercise) == 1800 * generated.series
    assert len(sqlite_store.ticks.instants(exercise)) == 1 + 1800  # T+0 and every second
    timeline = build_timeline(sqlite_store, exercise, generated.plan)
    first = next(f for f in timeline.facts if isinstance(f, LimitBreached))
    # The seed drill's breach, to the second: the same simulation, only run longer.
    assert (first.breach.server, first.at_s, first.breach.active_sessions) == (
        "waf-1",
        24 * 60 + 54,
        8001,
    )
    hosts = sqlite_store.latest(exercise, "host_cpu_ratio", timeline.record.t0 + 1800)
    machines = (generated.series - PLATFORM_SERIES) // SERIES_PER_MACHINE
    assert len(hosts) == machines >= 12  # one CPU series per machine, up to its last second
    assert {dict(labels)["faculty"] for labels in hosts} <= {f.id for f in generated.plan.faculties}
