"""Alert messages on the screens, rebuilt in the screen's language from the rule's numbers."""

from __future__ import annotations

import pytest

from vigie.alerts.rules import RULES
from vigie.dashboard.alert_text import WRITERS, alert_message
from vigie.i18n import texts
from vigie.plan import Plan
from vigie.tick import AlertView

FR = texts("fr")


def alert(
    rule: str, subject: str, facts: dict[str, float | str], message: str = "english"
) -> AlertView:
    return AlertView(
        rule=rule, subject=subject, severity="critical", since=0.0, message=message, facts=facts
    )


def test_every_rule_has_a_writer() -> None:
    assert set(WRITERS) == set(RULES)


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        (
            alert("headroom", "waf-1", {"connections": 14404, "limit": 16000, "ratio": 0.90025}),
            "waf-1 à 14\u202f404 connexions sur 16\u202f000 (90\u00a0%)",
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
                {"connections": 15116, "limit": 16000, "slope_per_s": 3.4, "eta_s": 260},
            ),
            "waf-1 atteint sa limite dans ~4 min au rythme actuel "
            "(+3,4 connexions/s, 15\u202f116 sur 16\u202f000)",
        ),
        (
            alert(
                "wave_gate",
                "wave-4",
                {
                    "wave": 4,
                    "students": 2650,
                    "server": "waf-1",
                    "projected": 20089,
                    "limit": 16000,
                    "fit": 702,
                    "verdict": "HOLD",
                    "ratio": 2.0,
                    "ratio_source": "measured",
                },
            ),
            "La vague 4 (2\u202f650 étudiants) porterait waf-1 à 20\u202f089 connexions sur "
            "16\u202f000 (126\u00a0%) : ATTENTE. Au plus 702 étudiants passent ; "
            "scindez la vague.",
        ),
        (
            alert(
                "throttling",
                "waf-1",
                {"refused": 56, "reset": 76, "peak_ratio": 1.0, "cause": "security"},
            ),
            "waf-1 refuse des connexions : 56 refusées et 76 coupées ; "
            "sa couche de sécurité bride les connexions",
        ),
        (
            alert("blind", "platform", {"kind": "source", "since": 1642772225.0}),
            "SUPERVISION AVEUGLE : platform depuis 13 h 37 min 05 s",
        ),
    ],
)
def test_alerts_read_in_french(seed_plan: Plan, view: AlertView, expected: str) -> None:
    assert alert_message(FR, view, seed_plan, None) == expected


def test_a_lagging_faculty_is_named_as_the_plan_names_it(seed_plan: Plan) -> None:
    faculty = seed_plan.faculties[0]
    view = alert("faculty_lag", faculty.id, {"connected": 120, "expected": 640})
    assert alert_message(FR, view, seed_plan, None).startswith(f"{faculty.name} : 120 étudiants")


def test_without_the_numbers_it_needs_the_rules_own_words_are_shown(seed_plan: Plan) -> None:
    old = alert("throttling", "waf-1", {"refused": 56}, message="waf-1 is refusing connections")
    assert alert_message(FR, old, seed_plan, None) == "waf-1 is refusing connections"
    other = alert("someone_elses_rule", "x", {}, message="as written")
    assert alert_message(FR, other, seed_plan, None) == "as written"
