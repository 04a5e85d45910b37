"""Who is asking: an operator, a faculty's IT team, a reviewer, or a wall screen's link."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

NATIONAL = "national"  # a kiosk link's scope when it shows the national wall


class Role(StrEnum):
    OPERATOR = "operator"  # everything; acknowledges, writes notes, records decisions
    FACULTY = "faculty"  # its own faculty's page and the national banner
    REVIEWER = "reviewer"  # read-only
    KIOSK = "kiosk"  # one wall screen, read-only, by a revocable link


HUMAN_ROLES = (Role.OPERATOR, Role.FACULTY, Role.REVIEWER)


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role
    faculty: str | None = None  # the faculty of a faculty user, or a kiosk link's faculty
    kiosk_id: int | None = None

    @property
    def national_kiosk(self) -> bool:
        return self.role is Role.KIOSK and self.faculty is None

    def may_see_faculty(self, faculty: str) -> bool:
        if self.role in (Role.OPERATOR, Role.REVIEWER):
            return True
        return self.role in (Role.FACULTY, Role.KIOSK) and self.faculty == faculty


# On 127.0.0.1 with no accounts: the demo's "open demo mode".
OPEN_DEMO = Principal("demo", Role.OPERATOR)
