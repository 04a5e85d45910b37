"""Every text a screen shows, per language: gettext catalogues read with Babel, and
numbers, times and durations written the way each language writes them."""

from vigie.i18n.catalogue import ENGLISH, LANGUAGES, Texts, texts
from vigie.i18n.formats import count, exercise_clock

__all__ = ["ENGLISH", "LANGUAGES", "Texts", "count", "exercise_clock", "texts"]
