"""Accounts in a real Chromium: a faculty's IT team logs in and sees its own faculty
only; a wall link needs no login and stops working once revoked; the console, wall and
a faculty page render under the Content-Security-Policy with no violation, and the
"Log out" button posts the logout."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from tests.conftest import Drilled, require
from tests.support.accounts import CHEAP, CHEAP_HASH
from tests.support.accounts import PASSWORD as OPERATOR_PASSWORD
from tests.support.chromium import chromium_binary
from tests.support.waiting import wait_until
from tests.test_control_room import at_wall_size, shoot
from tests.test_dashboard import still_running
from tests.test_pages_screens import shoot_both
from vigie.accounts.tokens import new_token, token_hash
from vigie.clock import VirtualClock
from vigie.dashboard.app import create_app
from vigie.dashboard.auth import AuthSettings
from vigie.plan import Plan
from vigie.store import Store

PASSWORD = "alpha's long password"


@pytest.fixture(autouse=True)
def needs_a_browser() -> None:
    require(chromium_binary() is not None, "Chromium is not installed (apt-get install chromium)")
    require(shutil.which("chromedriver") is not None, "apt-get install chromium-driver")


@pytest.fixture
def served_with_accounts(
    dash_duo: Any, drilled: Drilled, small_plan: Plan
) -> Iterator[tuple[Any, Store, str]]:
    store, exercise_id, t0 = drilled  # a copy of the session's small drill
    recorder = still_running(store, exercise_id, t0, small_plan)
    recorder.evaluate(t0 + 600.5)
    store.accounts.add_user("alpha-it", "faculty", "alpha", CHEAP.hash(PASSWORD), 0.0)
    store.accounts.add_user("olga", "operator", None, CHEAP_HASH, 0.0)
    app = create_app(
        store,
        VirtualClock(t0 + 600.5),
        exercise_id,
        auth=AuthSettings(open_demo=False, secret_key="browser test"),
    )
    dash_duo.start_server(app, navigate=False)  # its home page now asks to log in
    at_wall_size(dash_duo.driver)
    yield dash_duo, store, dash_duo.server.url


def test_a_faculty_team_logs_in_and_sees_only_its_own_faculty(
    served_with_accounts: tuple[Any, Store, str],
) -> None:
    dash_duo, _, base = served_with_accounts
    dash_duo.driver.get(f"{base}/faculty/alpha")  # sent to the login page first
    dash_duo.wait_for_element("#name").send_keys("alpha-it")
    dash_duo.find_element("#password").send_keys(PASSWORD)
    dash_duo.find_element("button[type=submit]").click()
    dash_duo.wait_for_contains_text("#faculty-body", "Faculté Alpha")
    dash_duo.wait_for_contains_text("#faculty-national", "students connected nationally")
    shoot(dash_duo, "faculty-alpha-logged-in.png")
    dash_duo.driver.get(f"{base}/faculty/beta")  # another faculty's address
    wait_until(lambda: any("403" in entry["message"] for entry in dash_duo.get_logs() or []), 20)
    page = dash_duo.driver.find_element(By.TAG_NAME, "body").text
    assert "Faculté Beta" not in page and "Faculté Gamma" not in page


def test_a_wall_link_needs_no_login_and_a_revoked_one_stops_at_the_next_refresh(
    served_with_accounts: tuple[Any, Store, str],
) -> None:
    dash_duo, store, base = served_with_accounts
    secret = new_token()
    link = store.accounts.add_kiosk(token_hash(secret), "national", "hall", 0.0)
    dash_duo.driver.get(f"{base}/kiosk/{secret}")
    dash_duo.wait_for_text_to_equal("#wall-status", "LIVE")
    banner = dash_duo.find_element("#wall-disconnected")
    assert "is-hidden" in banner.get_attribute("class")
    store.accounts.revoke_kiosk(link, 1.0)
    wait_until(lambda: "is-hidden" not in banner.get_attribute("class"), timeout=20)
    assert "DISCONNECTED FROM VIGIE" in banner.text
    dash_duo.driver.get(f"{base}/kiosk/{secret}")
    assert "revoked" in dash_duo.driver.find_element(By.TAG_NAME, "body").text


# Before any page script: every CSP violation of the document is kept, to be read back.
RECORD_VIOLATIONS = """window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.cspViolations.push(event.violatedDirective + ' ' + (event.blockedURI || 'inline'));
});"""


def violations(dash_duo: Any) -> list[str]:
    found: list[str] = dash_duo.driver.execute_script("return window.cspViolations;")
    return found + [e["message"] for e in dash_duo.get_logs() or [] if "Policy" in e["message"]]


def test_the_screens_run_under_the_content_security_policy_and_log_out_by_their_button(
    served_with_accounts: tuple[Any, Store, str],
) -> None:
    dash_duo, _, base = served_with_accounts
    driver = dash_duo.driver
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_VIOLATIONS})
    driver.get(f"{base}/login?next=/")
    dash_duo.wait_for_element("#name").send_keys("olga")
    dash_duo.find_element("#password").send_keys(OPERATOR_PASSWORD)
    dash_duo.find_element("button[type=submit]").click()
    dash_duo.wait_for_contains_text("#console-header", "Small drill")
    dash_duo.wait_for_element("#console-sessions .main-svg")  # Plotly has drawn
    assert violations(dash_duo) == []
    shoot_both(dash_duo, "console-logout")
    at_wall_size(driver)
    for path, ready, text in [
        ("/wall", "#wall-status", "LIVE"),  # no chart: big type only
        ("/faculty/alpha", "#faculty-body", "Faculté Alpha"),
    ]:
        driver.get(base + path)
        dash_duo.wait_for_contains_text(ready, text)
        if path.startswith("/faculty"):
            dash_duo.wait_for_element(".js-plotly-plot .main-svg")
        assert violations(dash_duo) == [], path
    # the policy is enforced, not merely sent: an injected inline script is refused
    driver.execute_script(
        "const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        "document.head.appendChild(s);"
    )
    assert driver.execute_script("return window.ran;") is None
    assert any(v.startswith("script-src") for v in violations(dash_duo))
    driver.get(base + "/")
    dash_duo.wait_for_element(".vigie-logout").click()
    wait_until(lambda: driver.current_url.startswith(f"{base}/login"), 20)
    driver.get(base + "/wall")
    wait_until(lambda: "/login?next=/wall" in driver.current_url, 20)
