"""A deterministic stand-in exam platform for demos, drills and tests."""

from vigie.simulator.exporter import PlatformMetrics, platform_registry
from vigie.simulator.platform import ExamPlatform, Snapshot

__all__ = ["ExamPlatform", "PlatformMetrics", "Snapshot", "platform_registry"]
