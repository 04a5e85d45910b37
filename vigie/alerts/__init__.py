"""Alert rules over (series, plan, now), the engine that records transitions, notifiers."""
