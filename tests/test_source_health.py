"""When a source went down, read from its 0/1 gauge, on streaks known by construction."""

from __future__ import annotations

import random

import pytest

from vigie.source_health import down_since, is_up
from vigie.store import Point


@pytest.mark.parametrize("seed", range(20))
def test_the_streak_begins_at_the_first_failure_after_the_last_success(seed: int) -> None:
    rng = random.Random(seed)
    ups = [rng.random() < 0.6 for _ in range(rng.randint(0, 30))]
    failing = rng.randint(0, 5)
    history = ups + [False] * failing
    points = [Point(float(at), 1.0 if up else 0.0) for at, up in enumerate(history)]
    last_up = max((i for i, up in enumerate(history) if up), default=-1)
    expected = None if not history or history[-1] else float(last_up + 1)
    assert down_since(points) == expected


def test_an_averaged_gauge_is_up_from_one_half() -> None:
    assert is_up(0.5) and is_up(1.0) and not is_up(0.49)
    assert down_since([]) is None
    assert down_since([Point(1.0, 0.5), Point(2.0, 0.2), Point(3.0, 0.0)]) == 2.0
