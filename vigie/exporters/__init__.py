"""What exam platforms and faculties already run, as presets: a plan names the
software, and Vigie brings its metrics, its PromQL and where it says its limit."""

from vigie.exporters.preset import Preset, PresetRegistry, Series
from vigie.exporters.registry import PRESETS

__all__ = ["PRESETS", "Preset", "PresetRegistry", "Series"]
