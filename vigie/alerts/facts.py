"""The numbers behind a rule's verdict: each rule's module types its own.

A rule returns its facts with its verdict; the store keeps them as JSON beside
the transition, and screens and reports read them back through `facts_of` to
write the message in their own language (the rule's `words`). Unknown keys are
ignored, so facts written by another Vigie still read.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class RuleFacts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)
