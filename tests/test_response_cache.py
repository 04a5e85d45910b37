"""The screens' refreshes are serialised once per screen key and shared by every viewer,
over real HTTP, without ever crossing rights, languages, ticks or seconds."""

from __future__ import annotations

import gzip
import math
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.conftest import Drilled
from tests.support.accounts import CHEAP_HASH, PASSWORD
from tests.support.dash_client import faculty_request, wall_request
from tests.support.serving import served
from vigie.clock import VirtualClock
from vigie.dashboard.app import create_app
from vigie.dashboard.auth import AuthSettings
from vigie.dashboard.response_cache import ResponseCache
from vigie.tick import TickState

CALLBACK = "/_dash-update-component"
RAW = {"Accept-Encoding": "identity"}  # the bytes as Dash wrote them


def answers(app: Any) -> ResponseCache:
    cache: ResponseCache = app.server.extensions["vigie_response_cache"]
    return cache


def refresh(
    viewer: requests.Session, url: str, body: dict[str, Any], **headers: str
) -> requests.Response:
    response = viewer.post(url + CALLBACK, json=body, headers=headers or RAW, timeout=30)
    assert response.status_code == 200, response.text[:300]
    return response


@pytest.fixture
def open_wall(drilled: Drilled) -> Iterator[tuple[Any, str, VirtualClock, Drilled]]:
    store, exercise, t0 = drilled
    clock = VirtualClock(math.floor(t0) + 300.2)  # .2 into a second, whatever T+0 is
    app = create_app(store, clock, exercise)
    with served(app) as url:
        yield app, url, clock, drilled


def test_two_viewers_of_the_same_wall_second_get_the_same_bytes_built_once(
    open_wall: tuple[Any, str, VirtualClock, Drilled],
) -> None:
    app, url, _clock, _drilled = open_wall
    first = refresh(requests.Session(), url, wall_request())
    second = refresh(requests.Session(), url, wall_request())
    assert second.content == first.content
    assert answers(app).builds == 1
    # the cached answer went through the same hooks as a built one
    for header in ("Content-Security-Policy", "X-Content-Type-Options"):
        assert second.headers[header] == first.headers[header]
    assert second.headers["Content-Type"].startswith("application/json")


def test_a_viewer_accepting_gzip_gets_the_same_answer_compressed_once(
    open_wall: tuple[Any, str, VirtualClock, Drilled],
) -> None:
    app, url, _clock, _drilled = open_wall
    raw = refresh(requests.Session(), url, wall_request()).content
    viewer = requests.Session()
    zipped = [
        viewer.post(url + CALLBACK, json=wall_request(), stream=True, timeout=30) for _ in range(2)
    ]
    for response in zipped:
        assert response.headers["Content-Encoding"] == "gzip"
        on_the_wire = response.raw.read(decode_content=False)
        assert gzip.decompress(on_the_wire) == raw
        assert len(on_the_wire) < len(raw)
    assert answers(app).builds == 1


def test_languages_are_kept_apart(open_wall: tuple[Any, str, VirtualClock, Drilled]) -> None:
    app, url, _clock, _drilled = open_wall
    viewer = requests.Session()
    english = refresh(viewer, url, wall_request("?lang=en")).json()
    french = refresh(viewer, url, wall_request("?lang=fr")).json()
    remembered = refresh(viewer, url, wall_request("", language="fr")).json()
    assert english["response"]["wall-contact"]["data"]["language"] == "en"
    assert french["response"]["wall-contact"]["data"]["language"] == "fr"
    assert remembered["response"]["wall-contact"]["data"]["language"] == "fr"
    assert "EN DIRECT" not in str(english) and "LIVE" not in str(french)
    # ?lang=fr and a browser that chose French earlier see the same French screen
    assert remembered == french
    assert answers(app).builds == 2
    assert refresh(viewer, url, wall_request("?lang=en")).json() == english
    assert answers(app).builds == 2


def test_a_new_second_is_never_answered_from_the_old_one(
    open_wall: tuple[Any, str, VirtualClock, Drilled],
) -> None:
    app, url, clock, _drilled = open_wall
    viewer = requests.Session()
    before = refresh(viewer, url, wall_request()).json()
    clock.advance(1.0)
    after = refresh(viewer, url, wall_request()).json()
    assert answers(app).builds == 2
    said = [r["response"]["wall-contact"]["data"]["at"] for r in (before, after)]
    assert said[0] != said[1]


def test_a_new_tick_in_the_same_second_is_never_answered_from_the_old_one(
    open_wall: tuple[Any, str, VirtualClock, Drilled],
) -> None:
    app, url, clock, (store, exercise, _t0) = open_wall
    viewer = requests.Session()
    refresh(viewer, url, wall_request())
    found = store.ticks.at(exercise, clock.now())
    assert found is not None
    following = TickState.decode(found[1]).model_copy(update={"at": clock.now() + 0.1})
    store.ticks.write(exercise, following.at, following.encode())  # the collector's next
    clock.advance(0.3)  # the same second on screen
    refresh(viewer, url, wall_request())
    assert answers(app).builds == 2


@pytest.fixture
def accounts_wall(drilled: Drilled) -> Iterator[tuple[Any, str]]:
    store, exercise, t0 = drilled
    for name, role, faculty in (
        ("olga", "operator", None),
        ("fanny", "faculty", "alpha"),
        ("bruno", "faculty", "beta"),
    ):
        store.accounts.add_user(name, role, faculty, CHEAP_HASH, 0.0)
    auth = AuthSettings(open_demo=False, secret_key="test secret")
    app = create_app(store, VirtualClock(t0 + 300.2), exercise, auth=auth)
    with served(app) as url:
        yield app, url


def logged_in(url: str, name: str) -> requests.Session:
    viewer = requests.Session()
    response = viewer.post(
        url + "/login", data={"name": name, "password": PASSWORD}, allow_redirects=False
    )
    assert response.status_code == 302, response.text[:300]
    return viewer


def test_a_faculty_viewer_never_gets_another_faculty_s_cached_answer(
    accounts_wall: tuple[Any, str],
) -> None:
    app, url = accounts_wall
    operator, fanny, bruno = (logged_in(url, n) for n in ("olga", "fanny", "bruno"))
    refresh(operator, url, faculty_request("alpha"))
    refresh(operator, url, wall_request())
    own = refresh(fanny, url, faculty_request("alpha"))
    assert answers(app).builds == 3  # a faculty's rights are not an operator's
    # alpha's answer is cached twice over, and still refused to beta's team and to the wall
    for body in (faculty_request("alpha"), wall_request()):
        refused = bruno.post(url + CALLBACK, json=body, headers=RAW, timeout=30)
        assert refused.status_code == 403
        assert refused.content not in (own.content, b"")
    theirs = refresh(bruno, url, faculty_request("beta"))
    assert theirs.content != own.content
    assert refresh(fanny, url, faculty_request("alpha")).content == own.content
    assert answers(app).builds == 4


def test_a_cached_answer_is_refused_to_another_site_s_page(
    open_wall: tuple[Any, str, VirtualClock, Drilled],
) -> None:
    _app, url, _clock, _drilled = open_wall
    refresh(requests.Session(), url, wall_request())
    elsewhere = requests.post(
        url + CALLBACK,
        json=wall_request(),
        headers={"Origin": "https://elsewhere.example", **RAW},
        timeout=30,
    )
    assert elsewhere.status_code == 403
    assert b"wall-screen" not in elsewhere.content


def test_a_callback_is_registered_once() -> None:
    cache = ResponseCache()
    cache.register("wall-screen", lambda _values: None)
    with pytest.raises(ValueError, match="wall-screen"):
        cache.register("wall-screen", lambda _values: None)
