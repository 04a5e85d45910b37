"""Call a Dash callback over HTTP exactly as the browser does."""

from __future__ import annotations

from typing import Any

OVERVIEW_OUTPUTS = [
    {"id": "overview-header", "property": "children"},
    {"id": "overview-body", "property": "children"},
    {"id": "overview-chart", "property": "figure"},
]


def overview_request(search: str = "") -> dict[str, Any]:
    return {
        "output": "..overview-header.children...overview-body.children...overview-chart.figure..",
        "outputs": OVERVIEW_OUTPUTS,
        "inputs": [
            {"id": "overview-tick", "property": "n_intervals", "value": 1},
            {"id": "overview-url", "property": "search", "value": search},
        ],
        "changedPropIds": ["overview-tick.n_intervals"],
    }


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
