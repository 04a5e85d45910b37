"""What the engine learns about the platform as the exercise runs, kept in the store.

Background loads (connections while nobody is connected), measured connections
per student, and the waves' actual launches: a restarted collector reads them
back instead of starting from the plan's guesses, so a wave that fits does not
flip to a false HOLD after a restart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vigie.alerts import launches
from vigie.alerts.inputs import RuleInputs
from vigie.plan.model import Plan
from vigie.store import Store
from vigie.store.learned_store import LearnedFact

BASELINE, RATIO, LAUNCH = "baseline", "ratio", "launch"
RATIO_CHANGE = 0.02  # a measured ratio is written again only when it moved this much


@dataclass
class PlatformMemory:
    store: Store
    exercise_id: int
    plan: Plan
    t0: float
    baselines: dict[str, float] = field(default_factory=dict)
    ratios: dict[str, float] = field(default_factory=dict)
    launches: dict[int, float] = field(default_factory=dict)
    _annotations_seen: int = 0

    def restore(self) -> None:
        for fact in self.store.learned.all(self.exercise_id):
            if fact.kind == BASELINE:
                self.baselines[fact.key] = fact.value
            elif fact.kind == RATIO:
                self.ratios[fact.key] = fact.value
            elif fact.kind == LAUNCH:
                self.launches[int(fact.key)] = fact.value
        self.launches = launches.at_exercise_start(self.plan) | self.launches

    def note_launches(self, inputs: RuleInputs) -> None:
        """Before the rules run: a wave launched at this instant is gated as launched."""
        if len(self.launches) == len(self.plan.waves):
            return  # every wave is out: nothing more to learn, no read per poll
        new = self.store.annotations(self.exercise_id, after_id=self._annotations_seen)
        if new:
            self._annotations_seen = new[-1].id
        found = launches.recorded_launches(new, self.t0, self.launches)
        found |= launches.observed_launches(
            self.plan,
            inputs.window.by_entity("sessions_active", "faculty"),
            self.t0,
            self.launches | found,
        )
        found = {w: min(at, inputs.elapsed_s) for w, at in found.items()}
        self.launches.update(found)
        self._keep(LAUNCH, {str(w): at for w, at in found.items()}, inputs.now)

    def note_platform(self, inputs: RuleInputs) -> None:
        """After the rules: background loads while nobody is connected, measured ratios."""
        if inputs.total_sessions == 0:
            changed = {}
            for server in self.plan.servers:
                point = inputs.connections(server.id)
                fresh = inputs.fresh(point) and point is not None
                if fresh and point is not None and self.baselines.get(server.id) != point.value:
                    changed[server.id] = point.value
            self.baselines.update(changed)
            self._keep(BASELINE, changed, inputs.now)
            return
        rates = inputs.rates
        moved = {
            s: r
            for s, r in rates.per_student.items()
            if rates.measured.get(s) and _moved(self.ratios.get(s), r)
        }
        self.ratios.update(moved)
        self._keep(RATIO, moved, inputs.now)

    def _keep(self, kind: str, values: dict[str, float], at: float) -> None:
        self.store.learned.keep(
            self.exercise_id, (LearnedFact(kind, k, v, at) for k, v in values.items())
        )


def _moved(before: float | None, now: float) -> bool:
    if before is None:
        return True
    return abs(now - before) > RATIO_CHANGE * max(abs(before), 1e-9)
