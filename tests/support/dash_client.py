"""Call a Dash callback over HTTP exactly as the browser does."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

Prop = tuple[str, str]


def callback_request(
    outputs: list[Prop],
    inputs: list[tuple[str, str, Any]],
    state: list[tuple[str, str, Any]] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    if len(outputs) == 1:
        output = "{}.{}".format(*outputs[0])
    else:
        output = ".." + "...".join(f"{i}.{p}" for i, p in outputs) + ".."
    return {
        "output": output,
        "outputs": [{"id": i, "property": p} for i, p in outputs]
        if len(outputs) > 1
        else {"id": outputs[0][0], "property": outputs[0][1]},
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"],
    }


def wall_request(search: str = "", language: str | None = None) -> dict[str, Any]:
    return callback_request(
        [("wall-screen", "children"), ("wall-contact", "data")],
        [
            ("wall-tick", "n_intervals", 1),
            ("url", "search", search),
            ("vigie-language", "data", language),
        ],
    )


def console_request(
    search: str = "", language: str | None = None, view: str = "total"
) -> dict[str, Any]:
    return callback_request(
        [
            ("console-header", "children"),
            ("console-body", "children"),
            ("console-more", "children"),
            ("console-sessions", "figure"),
            ("console-connections", "figure"),
            ("console-attention", "children"),
            ("console-distribution", "figure"),
        ],
        [
            ("console-tick", "n_intervals", 1),
            ("url", "search", search),
            ("vigie-language", "data", language),
            ("console-view", "value", view),
        ],
    )


def faculty_request(faculty: str) -> dict[str, Any]:
    """The faculty page's refresh for `faculty`, as the browser sends it."""
    return callback_request(
        [("faculty-header", "children"), ("faculty-body", "children"), ("faculty-chart", "figure")],
        [
            ("faculty-tick", "n_intervals", 1),
            ("url", "search", ""),
            ("vigie-language", "data", None),
        ],
        [("faculty-id", "data", faculty)],
    )


def call(client: FlaskClient, request: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/_dash-update-component", json=request)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]  # type: ignore[no-any-return]


def texts(component: Any) -> list[str]:
    """Every text shown by a serialised Dash component tree, in order."""
    if isinstance(component, str):
        return [component]
    if isinstance(component, list):
        return [t for child in component for t in texts(child)]
    if isinstance(component, dict):
        return texts(component.get("props", {}).get("children"))
    return [] if component is None else [str(component)]


def by_id(component: Any, wanted: str) -> Any:
    if isinstance(component, list):
        for child in component:
            found = by_id(child, wanted)
            if found is not None:
                return found
    elif isinstance(component, dict):
        props = component.get("props", {})
        if props.get("id") == wanted:
            return component
        return by_id(props.get("children"), wanted)
    return None


def classes(component: Any) -> str:
    return str(component.get("props", {}).get("className", "")) if component else ""


def review_scrub_request(seconds: float, search: str = "") -> dict[str, Any]:
    return callback_request(
        [("review-wall", "children"), ("review-instant", "children")],
        [
            ("review-at", "value", seconds),
            ("url", "search", search),
            ("vigie-language", "data", None),
        ],
    )


def review_timeline_request(seconds: float = 0, search: str = "") -> dict[str, Any]:
    """The whole figure; the cursor alone is a patch (changedPropIds review-at.value)."""
    request = callback_request(
        [("review-timeline", "figure"), ("review-event", "children")],
        [
            ("review-at", "value", seconds),
            ("review-note-result", "children", None),
            ("url", "search", search),
            ("vigie-language", "data", None),
        ],
    )
    request["changedPropIds"] = ["url.search"]
    return request


def review_move_request(button: str, seconds: float, speed: int = 10) -> dict[str, Any]:
    """`button`: review-previous, review-next or review-play (a tick of play)."""
    request = callback_request(
        [("review-at", "value")],
        [
            ("review-previous", "n_clicks", 1 if button == "review-previous" else None),
            ("review-next", "n_clicks", 1 if button == "review-next" else None),
            ("review-play", "n_intervals", 1 if button == "review-play" else None),
        ],
        [
            ("review-at", "value", seconds),
            ("review-speed", "value", speed),
            ("url", "search", ""),
        ],
    )
    prop = "n_intervals" if button == "review-play" else "n_clicks"
    request["changedPropIds"] = [f"{button}.{prop}"]
    return request


def review_note_request(seconds: float, text: str, author: str | None = "Rita") -> dict[str, Any]:
    return callback_request(
        [("review-note-result", "children")],
        [("review-note-add", "n_clicks", 1)],
        [
            ("review-author", "value", author),
            ("review-note-text", "value", text),
            ("review-at", "value", seconds),
            ("url", "search", ""),
            ("vigie-language", "data", None),
        ],
    )


def compare_request(
    a: Any, b: Any, align: str = "t0", signal: str = "sessions", language: str | None = None
) -> dict[str, Any]:
    """The compare page's chart for exercises `a` and `b`, as the browser asks for it."""
    return callback_request(
        [("compare-chart", "figure"), ("compare-message", "children")],
        [
            ("compare-a", "value", a),
            ("compare-b", "value", b),
            ("compare-align", "value", align),
            ("compare-signal", "value", signal),
            ("vigie-language", "data", language),
        ],
    )


def console_found_request(query: Any, search: str = "") -> dict[str, Any]:
    """The console's site search for `query`, as the browser sends it."""
    return callback_request(
        [("console-found", "children")],
        [
            ("console-site-search", "value", query),
            ("console-tick", "n_intervals", 1),
            ("url", "search", search),
            ("vigie-language", "data", None),
        ],
    )
