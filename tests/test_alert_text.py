"""Alert messages on the screens, rebuilt in the screen's language from the rule's numbers."""

from __future__ import annotations

import pytest
from pydantic import JsonValue

from tests.conftest import ROOT
from vigie.alerts.rule import in_utc
from vigie.alerts.rules import FACTS, RULES, blind
from vigie.dashboard.alert_text import WRITERS, alert_message
from vigie.i18n import exercise_clock, texts
from vigie.plan import Plan, load_plan
from vigie.run.drill import run_drill
from vigie.store import Store
from vigie.tick import AlertView

FR = texts("fr")
Facts = dict[str, JsonValue]  # as a transition stores them
SEED_T0 = 1642770000.0  # 21 January 2022, 14:00 in Paris


def on_the_clock(epoch: float) -> str:
    """How screens write an instant: on the seed's exercise clock."""
    return f"T+{exercise_clock(epoch - SEED_T0)}"


def alert(
    rule: str, subject: str, facts: dict[str, JsonValue], message: str = "english"
) -> AlertView:
    return AlertView(
        rule=rule, subject=subject, severity="critical", since=0.0, message=message, facts=facts
    )


def test_every_rule_has_a_writer() -> None:
    # Writers are keyed by each rule's facts class: every rule has one, and a writer.
    assert set(FACTS) == set(RULES)
    assert set(WRITERS) == set(FACTS.values())


# The seed plan's wave 4 on paper (2 per student, +5% margin on every student counted):
# (7,150 + 2,650) x 2.1 = 20,580 of 16,000 (129%); (16,000 - 7,150 x 2.1) / 2.1 = 469.05,
# so 469 fit strictly below the limit.
WAVE_4: dict[str, JsonValue] = {
    "wave": 4,
    "students": 2650,
    "server": "waf-1",
    "kind": "total",
    "projected": 20580,
    "limit": 16000,
    "share": 1.28625,
    "fit": 469,
    "counted": 9800,
    "counted_fit": 469,
    "ratio": 2.0,
    "measured": False,
    "critical": 0.9,
}


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        (
            alert(
                "headroom",
                "waf-1",
                {"connections": 9604, "limit": 16000, "ratio": 0.60025, "level": "ok"},
            ),
            "waf-1 à 9\u202f604 connexions sur 16\u202f000 (60\u00a0%)",
        ),
        (
            alert(
                "headroom",
                "waf-1",
                {
                    "connections": 14404,
                    "limit": 16000,
                    "ratio": 0.90025,
                    "threshold": 0.9,
                    "level": "critical",
                },
            ),
            "waf-1 à 14\u202f404 connexions sur 16\u202f000 (90\u00a0%) : "
            "au-dessus de son seuil critique de 90\u00a0%",
        ),
        (
            alert(
                "time_to_limit",
                "waf-1",
                {
                    "state": "ramp",
                    "connections": 15116,
                    "limit": 16000,
                    "slope_per_s": 3.4,
                    "eta_s": 260,
                },
            ),
            "waf-1 atteint sa limite dans ~4 min au rythme actuel "
            "(+3,4 connexions/s, 15\u202f116 sur 16\u202f000)",
        ),
        (
            alert("wave_gate", "wave-4", {**WAVE_4, "verdict": "HOLD"}),
            "La vague 4 (2\u202f650 étudiants) porterait waf-1 à 20\u202f580 connexions sur "
            "16\u202f000 (129\u00a0%) : NE PAS LANCER. Au plus 469 étudiants passent ; "
            "scindez la vague.",
        ),
        (
            alert("wave_gate", "wave-4", {**WAVE_4, "verdict": "FORECAST"}),
            "La vague 4 (2\u202f650 étudiants) ne passera pas quand viendra son tour : elle "
            "porterait waf-1 à 20\u202f580 connexions sur 16\u202f000 (129\u00a0%). "
            "Au plus 469 étudiants passent ; scindez la vague.",
        ),
        (
            # Wave 3 on paper: 7,150 x 2.1 = 15,015 of 16,000 (94%), above the 90% critical.
            alert(
                "wave_gate",
                "wave-3",
                {
                    **WAVE_4,
                    "wave": 3,
                    "students": 2230,
                    "verdict": "GO",
                    "projected": 15015,
                    "share": 0.9384375,
                    "fit": 2230,
                    "counted": 7150,
                    "counted_fit": 2230,
                },
            ),
            "La vague 3 (2\u202f230 étudiants) porterait waf-1 à 15\u202f015 connexions sur "
            "16\u202f000 (94\u00a0%) : LANCER, mais au-dessus du seuil critique de 90\u00a0%.",
        ),
        (
            alert(
                "throttling",
                "waf-1",
                {
                    "refused": 56,
                    "reset": 76,
                    "peak_ratio": 1.0,
                    "window_s": 30,
                    "cause": "security",
                },
            ),
            "waf-1 refuse des connexions : 56 refusées et 76 coupées dans les 30 dernières "
            "secondes ; sa couche de sécurité bride les connexions",
        ),
        (
            alert("blind", "platform", {"kind": "source", "since": 1642772225.0}),
            "SUPERVISION AVEUGLE : platform depuis T+37:05",
        ),
    ],
)
def test_alerts_read_in_french(seed_plan: Plan, view: AlertView, expected: str) -> None:
    assert alert_message(FR, view, seed_plan, on_the_clock) == expected


def test_a_lagging_faculty_is_named_as_the_plan_names_it(seed_plan: Plan) -> None:
    faculty = seed_plan.faculties[0]
    view = alert(
        "faculty_lag", faculty.id, {"connected": 120, "expected": 640, "wave": 1, "minutes": 6.4}
    )
    assert alert_message(FR, view, seed_plan, on_the_clock) == (
        f"{faculty.name} : 120 étudiants connectés sur 640 (19\u00a0%) "
        "6 min après le lancement de la vague 1"
    )


def test_without_the_numbers_it_needs_the_rules_own_words_are_shown(seed_plan: Plan) -> None:
    old = alert("throttling", "waf-1", {"refused": 56}, message="waf-1 is refusing connections")
    assert alert_message(FR, old, seed_plan, on_the_clock) == "waf-1 is refusing connections"
    other = alert("someone_elses_rule", "x", {}, message="as written")
    assert alert_message(FR, other, seed_plan, on_the_clock) == "as written"


def test_the_rest_of_a_launched_wave_reads_as_the_rest_of_it_not_as_a_wave_of_none(
    seed_plan: Plan,
) -> None:
    # Wave 3 out, its 7,150 students counted at 2.1: 15,015 of 16,000 (94%), tight.
    rest: Facts = {**WAVE_4, "wave": 3, "students": 0, "verdict": "GO", "projected": 15015}
    rest |= {"share": 0.9384375, "fit": 0, "counted": 7150, "counted_fit": 0}
    assert alert_message(FR, alert("wave_gate", "wave-3", rest), seed_plan, on_the_clock) == (
        "Le reste de la vague 3 porterait waf-1 à 15\u202f015 connexions sur 16\u202f000 "
        "(94\u00a0%) : LANCER, mais au-dessus du seuil critique de 90\u00a0%."
    )


def test_a_server_that_accepts_again_says_so_and_not_that_it_refuses(seed_plan: Plan) -> None:
    calm: Facts = {"refused": 4, "reset": 0, "peak_ratio": 0.5, "window_s": 30, "cause": "none"}
    view = alert("throttling", "waf-1", calm)
    assert alert_message(FR, view, seed_plan, on_the_clock) == "waf-1 accepte les connexions"


@pytest.mark.parametrize("plan_name", ["small-drill.toml", "ecnp-2022-01-21.toml"])
def test_an_english_screen_says_what_the_notifiers_said(plan_name: str) -> None:
    """Every alert a drill raises reads the same on an English screen as in the rule's
    own message (the notifiers' and the log's), except the blind rule's: its message
    names why the source is down, which its facts do not keep."""
    plan = load_plan(ROOT / "scenarios" / plan_name)
    store = Store.open("sqlite://")
    try:
        run = run_drill(plan, (ROOT / "scenarios" / plan_name).read_text(), store)
        said = [t for t in store.alerts.transitions(run.exercise_id) if t.facts]
    finally:
        store.close()
    assert len(said) > 10
    english = texts("en")
    differ = [
        (
            t.message,
            alert_message(english, alert(t.rule, t.subject, t.facts), plan, in_utc),
        )
        for t in said
        if t.rule != blind.RULE
    ]
    assert [pair for pair in differ if pair[0] != pair[1]] == []
