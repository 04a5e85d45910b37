"""Where the shipped, non-Python files are: in a checkout, or inside the wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"vigie's {name}/ folder is missing from this installation")


def assets_folder() -> Path:
    return _data_dir("assets")


def scenarios_folder() -> Path:
    return _data_dir("scenarios")


def seed_plan() -> Path:
    return scenarios_folder() / "ecnp-2022-01-21.toml"
