"""A new kind of limit is its module and one line in `KINDS`, and nothing else.

The kind here exists only in this test: a tenant quota, each faculty allowed at
most so many connections on the gateway. It is registered the way a developer
adds a kind, and the capacity model, the pre-flight and its report, the wave
gate, the throttling rule and the screens must then judge it and say it with no
change of their own. The plans are generated with their outcome known on paper.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
import tomli_w

from tests.test_alert_rules import T0, inputs_at
from vigie.alerts.rules import throttling, wave_gate
from vigie.alerts.rules.throttling import ThrottlingFacts
from vigie.alerts.rules.wave_gate import GateFacts, GateVerdict
from vigie.alerts.verdict import Severity
from vigie.capacity import kinds
from vigie.capacity.limit import KindOfLimit, Limit
from vigie.capacity.limits import capacity_model
from vigie.capacity.preflight import preflight
from vigie.cli.plan_report import describe
from vigie.dashboard.alert_text import alert_message
from vigie.i18n import Texts, count, texts
from vigie.plan import Plan, parse_plan
from vigie.plan.model import Faculty, Server
from vigie.series import Sample
from vigie.tick import AlertView

if TYPE_CHECKING:
    from vigie.capacity.projection import LimitProjection

CPS = 2.0  # connections per student, on the plan and in the samples


class Quota(KindOfLimit):
    """Each faculty may hold at most `level` connections on the gateway."""

    name = "quota"
    whole_server = False

    def __init__(self, level: int) -> None:
        self.level = level

    def limits_of(self, server: Server, faculties: tuple[Faculty, ...]) -> list[Limit]:
        if server.role != "gateway":
            return []
        return [
            Limit(
                server=server.id,
                kind=self,
                level=self.level,
                thresholds=server.thresholds,
                counts=((f.id, 1.0),),
            )
            for f in faculties
        ]

    def key(self, limit: Limit) -> str:
        return f"{limit.server}#{limit.counts[0][0]}"

    def named(
        self, t: Texts, plan: Plan, server: str, address: str | None, faculties: tuple[str, ...]
    ) -> str:
        return f"the quota of {faculties[0]} on {server}"

    def advice(self, t: Texts, *, fit: int, counted_fit: int, launched_load: bool) -> str:
        return f"raise the quota: {t.count(counted_fit)} fit"

    def fit_words(self, t: Texts, *, fit: float, counted_fit: int, held: bool) -> str | None:
        return f"{t.count(counted_fit)} fit its quota"

    def table_name(self, plan: Plan, limit: Limit) -> str:
        return f"{limit.server} quota {limit.counts[0][0]}"

    def warning(
        self, plan: Plan, wave: int, p: LimitProjection, per_student: float, at_most: int
    ) -> str:
        return f"WARNING: wave {wave}: {p.limit.counts[0][0]} over its quota of {p.limit.level}"


@dataclass(frozen=True)
class QuotaPlan:
    plan: Plan
    quota: int
    big: str  # the faculty of wave 2 whose students pass its quota
    students: int  # its students


def generate(seed: int) -> QuotaPlan:
    """2 to 4 waves of 2 to 4 faculties; one faculty of wave 2 brings 8-30% more than
    its quota (margin in), every other faculty at most 65% of it, and the gateway's
    total three times what every student brings: only the quota can break."""
    rng = random.Random(seed)
    waves = rng.randint(2, 4)
    students = {
        (f"f{w}{i}", w): rng.randrange(40, 400, 10)
        for w in range(1, waves + 1)
        for i in range(rng.randint(2, 4))
    }
    big = rng.choice([key for key in students if key[1] == 2])
    largest_other = max(n for key, n in students.items() if key != big)
    students[big] = 2 * largest_other + rng.randrange(10, 200, 10)
    margin = 0.05  # the plan's default wave-gate margin
    quota = int(students[big] * CPS * (1 + margin) / rng.uniform(1.08, 1.3))
    faculties = [
        {"id": id_, "name": f"Faculty {id_}", "wave": wave, "expected_students": n}
        for (id_, wave), n in students.items()
    ]
    total = sum(students.values())
    text = tomli_w.dumps(
        {
            "exercise": {"id": f"quota-{seed}", "name": "Quota plan", "duration_min": 60},
            "waves": [{"number": w, "start_min": 5 * (w - 1)} for w in range(1, waves + 1)],
            "faculties": faculties,
            "servers": [
                {
                    "id": "gw",
                    "role": "gateway",
                    "connection_limit": int(3 * total * CPS),
                    "connections_per_student": CPS,
                }
            ],
        }
    )
    plan = parse_plan(text)
    assert plan.alerts.wave_gate.margin == margin
    return QuotaPlan(plan, quota, big[0], students[big])


@pytest.fixture(params=range(6))
def quota_plan(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[QuotaPlan]:
    generated = generate(request.param)
    monkeypatch.setattr(kinds, "KINDS", (*kinds.KINDS, Quota(generated.quota)))
    yield generated


def test_the_model_builds_the_new_kinds_limits_beside_the_others(quota_plan: QuotaPlan) -> None:
    plan = quota_plan.plan
    keys = [limit.key for limit in capacity_model(plan).limits]
    assert keys == ["gw", *(f"gw#{f.id}" for f in plan.faculties)]
    assert kinds.partial("quota") and kinds.kind_named("quota").name == "quota"


def test_the_preflight_breaks_on_the_quota_from_its_wave_on(quota_plan: QuotaPlan) -> None:
    broken = {(r.wave, r.projection.limit.key) for r in preflight(quota_plan.plan) if not r.holds}
    waves = len(quota_plan.plan.waves)
    assert broken == {(w, f"gw#{quota_plan.big}") for w in range(2, waves + 1)}
    report = describe(quota_plan.plan)
    assert f"WARNING: wave 2: {quota_plan.big} over its quota of {quota_plan.quota}" in report


def test_the_gate_holds_the_wave_on_the_quota_in_its_own_words(quota_plan: QuotaPlan) -> None:
    verdicts = {v.subject: v for v in wave_gate.evaluate(inputs_at(quota_plan.plan, 0, []), {})}
    held = verdicts.pop("wave-2")
    facts = held.facts
    assert isinstance(facts, GateFacts)
    assert held.severity is Severity.CRITICAL and facts.verdict is GateVerdict.HOLD
    assert (facts.kind, facts.faculties, facts.limit) == (
        "quota",
        (quota_plan.big,),
        quota_plan.quota,
    )
    # On paper: n students fit when n x 2 x 1.05 stays strictly below the quota.
    per_student = CPS * 1.05
    assert (
        facts.counted_fit * per_student < quota_plan.quota <= (facts.counted_fit + 1) * per_student
    )
    assert f"the quota of {quota_plan.big} on gw" in held.message
    assert held.message.endswith(f"raise the quota: {count(facts.counted_fit, 'en')} fit")
    assert all(v.severity is Severity.OK for v in verdicts.values()), verdicts
    screen = AlertView(
        rule=held.rule,
        subject=held.subject,
        severity="critical",
        since=T0,
        message=held.message,
        facts=facts.model_dump(mode="json"),
    )
    french = alert_message(texts("fr"), screen, quota_plan.plan, str)
    assert french != held.message and f"the quota of {quota_plan.big} on gw" in french
    assert f"raise the quota: {count(facts.counted_fit, 'fr')} fit" in french


def test_refusals_while_a_faculty_is_at_its_quota_are_that_quotas(quota_plan: QuotaPlan) -> None:
    plan, big = quota_plan.plan, quota_plan.big
    at = 5 * 60 + 120.0  # wave 2 is out
    connected = {f.id: float(f.expected_students) // 4 for f in plan.faculties if f.wave <= 2}
    connected[big] = math.ceil(quota_plan.quota / CPS)  # its connections at its quota
    samples = [
        Sample("sessions_active", (("faculty", f),), T0 + at, n) for f, n in connected.items()
    ]
    connections = sum(connected.values()) * CPS
    for t in range(int(at) - 30, int(at) + 1):
        samples.append(Sample("server_connections", (("server", "gw"),), T0 + t, connections))
        refused = 2.0 * (t - at + 30)  # 60 refused in the window
        samples.append(Sample("server_rejected_total", (("server", "gw"),), T0 + t, refused))
    inputs = inputs_at(plan, at, samples)
    (verdict,) = throttling.evaluate(inputs, {})
    facts = verdict.facts
    assert isinstance(facts, ThrottlingFacts) and verdict.severity is Severity.CRITICAL
    assert (facts.cause, facts.faculties, facts.source_limit) == ("quota", (big,), quota_plan.quota)
    assert f"the quota of {big} on gw is near its level" in verdict.message
    assert throttling.explained_faculties(inputs, [verdict]) == {big}
