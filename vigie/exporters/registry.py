"""The presets Vigie ships, one per software; a team adds its own with `PRESETS.register`."""

from __future__ import annotations

from vigie.exporters import haproxy, nginx, node, postgres
from vigie.exporters.preset import PresetRegistry

PRESETS = PresetRegistry()
for _preset in (*haproxy.PRESETS, nginx.PRESET, postgres.PRESET, node.PRESET):
    PRESETS.register(_preset)
