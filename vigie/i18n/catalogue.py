"""gettext catalogues per language, read from the package's `.po` files with Babel.

English is the source language: its texts are the message ids themselves. Other
languages are `vigie/locale/<lang>/LC_MESSAGES/vigie.po`; a message missing from
a catalogue shows in English rather than as a blank (and a test lists it).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import tzinfo
from functools import cache
from importlib.resources import files

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from vigie.i18n import formats

LANGUAGES = ("en", "fr")
DOMAIN = "vigie"


def catalogue_path(language: str) -> str:
    return str(files("vigie") / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po")


@cache
def _translations(language: str) -> NullTranslations:
    if language == "en":
        return NullTranslations()
    with open(catalogue_path(language), "rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@dataclass(frozen=True)
class Texts:
    """One language's texts and formats. `t("Wave {number}", number=4)`."""

    language: str

    def __call__(self, message: str, **values: object) -> str:
        return _translations(self.language).gettext(message).format(**values)

    def plural(self, singular: str, plural: str, n: int, **values: object) -> str:
        text = _translations(self.language).ngettext(singular, plural, n)
        return text.format(n=self.count(n), **values)

    def count(self, value: float) -> str:
        return formats.count(value, self.language)

    def percent(self, fraction: float) -> str:
        return formats.percent(fraction, self.language)

    def decimal(self, value: float, digits: int = 1) -> str:
        return formats.decimal(value, self.language, digits)

    def time(self, epoch: float, tz: tzinfo | None, seconds: bool = True) -> str:
        return formats.wall_time(epoch, tz, self.language, seconds)

    def duration(self, seconds: float) -> str:
        return formats.duration(seconds)

    def clock(self, seconds: float) -> str:
        return formats.exercise_clock(seconds)


# The source language: what rules' own messages, the log and commands are written in.
ENGLISH = Texts("en")


def texts(language: str | None) -> Texts:
    """The texts of `language`, or English for one Vigie does not have."""
    return Texts(language if language in LANGUAGES else "en")
