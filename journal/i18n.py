"""Hungarian-first language support: locale choice, dates, names and alphabetical order."""

import unicodedata
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import NamedTuple, TypeVar

from babel import Locale
from babel.dates import get_datetime_format
from flask import Flask, current_app, g, has_app_context, session
from flask_babel import (
    format_date,
    format_number,
    format_time,
    get_locale,
    get_translations,
    gettext,
)
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup

T = TypeVar("T")

# The Hungarian alphabet. Letters on one line share a primary weight and differ only in
# length (the secondary weight): á sorts with a, but ö/ő come after o/ó and ü/ű after u/ú.
_ALPHABET = [
    "aá", "b", "c", "cs", "d", "dz", "dzs", "eé", "f", "g", "gy", "h", "ií", "j", "k", "l",
    "ly", "m", "n", "ny", "oó", "öő", "p", "q", "r", "s", "sz", "t", "ty", "uú", "üű",
    "v", "w", "x", "y", "z", "zs",
]  # fmt: skip
_PRIMARY: dict[str, int] = {}
_SECONDARY: dict[str, int] = {}
for _weight, _letters in enumerate(_ALPHABET, start=100):
    if len(_letters) == 2 and _letters not in {"cs", "dz", "gy", "ly", "ny", "sz", "ty", "zs"}:
        short, long = _letters
        _PRIMARY[short], _SECONDARY[short] = _weight, 0
        _PRIMARY[long], _SECONDARY[long] = _weight, 1
    else:
        _PRIMARY[_letters], _SECONDARY[_letters] = _weight, 0

_DIGRAPHS = ("dzs", "cs", "dz", "gy", "ly", "ny", "sz", "ty", "zs")
# A doubled multi-letter consonant is written shortened ("ssz" for "sz"+"sz") and sorts as
# if written out in full.
_DOUBLED = {"ddzs": "dzs", **{d[0] + d: d for d in _DIGRAPHS if d != "dzs"}}


def _letters(text: str) -> list[tuple[str, bool]]:
    """Split lower-case text into Hungarian letters, each with a flag for upper case."""
    lower = text.lower()
    out: list[tuple[str, bool]] = []
    i = 0
    while i < len(lower):
        upper = text[i] != lower[i]
        for length in (4, 3):
            chunk = lower[i : i + length]
            if chunk in _DOUBLED:
                letter = _DOUBLED[chunk]
                out += [(letter, upper), (letter, False)]
                i += length
                break
        else:
            for digraph in _DIGRAPHS:
                if lower.startswith(digraph, i):
                    out.append((digraph, upper))
                    i += len(digraph)
                    break
            else:
                out.append((lower[i], upper))
                i += 1
    return out


# Foreign letters whose mark Unicode does not decompose: like ä or č, they sort with the
# Hungarian letter they differ from only by the mark (AkH. 16).
_UNDECOMPOSED = {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ŧ": "t", "ƶ": "z"}


def _weights(letter: str) -> tuple[int, int]:
    """Return the primary and secondary weight of one letter."""
    if letter in _PRIMARY:
        return _PRIMARY[letter], _SECONDARY[letter]
    # A decimal digit of any script sorts by its value; "²" or "①" (digits to isdigit(), no
    # number to int()) sort by their code below, like any other sign.
    if (digit := unicodedata.decimal(letter, None)) is not None:
        return 10 + digit, 0
    base = _UNDECOMPOSED.get(letter) or unicodedata.normalize("NFD", letter)[0]
    if base in _PRIMARY:  # foreign accents (ä, č, é, ø, ł in other words) sort with their base
        return _PRIMARY[base], 2
    return 1000 + ord(letter), 0


def _is_separator(letter: str) -> bool:
    """Tell whether a character only separates words (space, hyphen, dash, punctuation)."""
    return letter.isspace() or letter in "-–.,'’"


@lru_cache(maxsize=8192)
def hungarian_key(text: str) -> tuple:
    """Return a sort key that orders text in Hungarian alphabetical order (a pure function,
    so its results are cached: names repeat on every page)."""
    # Word boundaries do not count (AkH. 15): "Tisza menti" sorts as "tiszamenti", after
    # "Tisza Kálmán" and before "Tiszántúl". Letters are still read word by word, so "kis
    # számban" is s + sz, not the shortened double "ssz".
    letters = [
        (letter, upper)
        for letter, upper in _letters(unicodedata.normalize("NFC", text.strip()))
        if not _is_separator(letter)
    ]
    weights = [_weights(letter) for letter, _ in letters]
    return (
        tuple(w[0] for w in weights),
        tuple(w[1] for w in weights),
        tuple(int(upper) for _, upper in letters),
        text,
    )


def sort_hungarian(items: Iterable[T], key: Callable[[T], str | tuple[str, ...]]) -> list[T]:
    """Sort items by one text (or a tuple of texts) in Hungarian alphabetical order."""

    def full_key(item: T) -> tuple:
        value = key(item)
        parts = (value,) if isinstance(value, str) else value
        return tuple(hungarian_key(part) for part in parts)

    return sorted(items, key=full_key)


def person_key(person) -> tuple[str, str]:
    """Return the texts a person is sorted by: family name, then given name."""
    return (person.family_name, person.given_name)


def select_locale() -> str:
    """Choose the language: the user's preference, else the visitor's choice, else Hungarian."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    chosen = session.get("language")
    return chosen if chosen in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def long_date(value: date | datetime | None) -> str:
    """Format a date as "2025. november 12." (in the current language)."""
    return "" if value is None else format_date(value, format="long")


def short_date(value: date | None) -> str:
    """Format a date briefly, as "nov. 12." (in the current language)."""
    return "" if value is None else format_date(value, format=_short_pattern(str(get_locale())))


@lru_cache
def _short_pattern(locale: str) -> str:
    """Return the locale's pattern of a day and an abbreviated month (skeleton "MMMd")."""
    return Locale.parse(locale).datetime_skeletons["MMMd"].pattern


def short_datetime(value: datetime | None) -> str:
    """Format a moment as a local date and time: "2026. nov. 29. 7:54", "Nov 29, 2026, 7:54 AM"
    (the "short" datetime format would give an ambiguous "11/29/26" in English)."""
    if value is None:
        return ""
    pattern = get_datetime_format("medium", locale=get_locale())
    return pattern.replace("{1}", format_date(value, "medium")).replace(
        "{0}", format_time(value, "short")
    )


# Each interface language by its own name, as its speakers choose it.
LANGUAGE_NAMES = {"hu": "magyar", "en": "English"}


def rounded(value: float, digits: int = 0) -> float:
    """Round as people and funders do, a half up (5/8 is 63 %, 5,25 is 5,3), where Python's
    round() takes a half to the even neighbour (62 %, 5,2); the value is read as it prints."""
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP))


def percent(value: float | None) -> str:
    """Format a whole percentage the one way of the app, on screen and in print: "71 %" (a
    no-break space before the sign, as Hungarian writes it), or "–" for none."""
    return "–" if value is None else f"{rounded(value):.0f}\u00a0%"


class _LocalNumber:
    """A number written the user's way when it is shown (50 000 in Hungarian, 50,000 in
    English)."""

    def __init__(self, value: int):
        """Keep the number."""
        self.value = value

    def __str__(self) -> str:
        """Return the number in the user's language."""
        return format_number(self.value)


def at_most_characters(limit: int, count: int):
    """Return the (lazy) message of a field over its length: "Legfeljebb 200 karakter lehet;
    ez 20 400 karakter." — one wording for every form."""
    return _l(
        "Legfeljebb %(max)s karakter lehet; ez %(count)s karakter. A szöveget megőriztük.",
        max=_LocalNumber(limit),
        count=_LocalNumber(count),
    )


def _translations():
    """Return the catalogue of the locale in force, found once per request and locale.

    Flask-Babel's own template gettext looks the locale and its catalogue up again for each
    of the ~300 strings of a page (a fifth of a notes board's CPU). The catalogue is kept on
    Flask-Babel's per-request namespace, with the locale object it belongs to: force_locale
    (the Hungarian documents of an English user) sets another locale object, so it is found
    anew there, and again after."""
    ctx = g.get("_flask_babel")
    locale = getattr(ctx, "babel_locale", None)
    cached = getattr(ctx, "jinja_translations", None)
    if cached is not None and locale is not None and cached[0] is locale:
        return cached[1]
    translations = get_translations()
    ctx = g._flask_babel  # created by the lookup above, as is its locale
    ctx.jinja_translations = (ctx.babel_locale, translations)
    return translations


@pass_eval_context
def _template_gettext(eval_ctx, string: str, /, **variables) -> str:
    """Translate a template's string: Jinja's newstyle gettext, in one call instead of three."""
    text = _translations().ugettext(string)
    if eval_ctx.autoescape:
        text = Markup(text)
    # Newstyle gettext always formats ("%%" becomes "%"); without a "%" that changes nothing.
    return text % variables if variables or "%" in text else text


@pass_eval_context
def _template_ngettext(eval_ctx, singular: str, plural: str, num: int, /, **variables) -> str:
    """Translate a template's string by number (newstyle: num is a variable too)."""
    variables.setdefault("num", num)
    text = _translations().ungettext(singular, plural, num)
    if eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


class LimitHintTexts(NamedTuple):
    """The texts of a field's limit hint."""

    near: Markup  # "{count} / {max} karakter", filled in by the script near the limit
    over: Markup  # the same over it
    most: Markup  # the limit said before it bites


def limit_hint_texts(limit: int) -> LimitHintTexts:
    """Return the texts of a field's limit hint (templates/_forms.html limit_hint): the
    limit said before it bites, and the counts that static/js/limits.js fills in near and
    over it; made once per request, language and limit (a board shows two per note)."""
    translations = _translations()
    made = g.setdefault("limit_hint_texts", {})
    key = (id(translations), limit)
    if key not in made:
        # As a template's gettext gives them: markup, with the values escaped into it.
        placeholders = {"count": "{count}", "max": "{max}"}
        made[key] = LimitHintTexts(
            near=Markup(gettext("%(count)s / %(max)s karakter")) % placeholders,
            over=Markup(gettext("Legfeljebb %(max)s karakter lehet; ez %(count)s karakter."))
            % placeholders,
            most=Markup(gettext("Legfeljebb %(max)s karakter.")) % {"max": format_number(limit)},
        )
    return made[key]


def gettext_now(string: str, /, **variables) -> str:
    """Translate a string as Flask-Babel's gettext does, through the catalogue found once per
    request (_translations); without an app context, through Flask-Babel's own."""
    if not has_app_context():
        return gettext(string, **variables)
    text = _translations().ugettext(string)
    return text % variables if variables else text


def lazy_gettext(string: str, /, **variables) -> LazyString:
    """Return a string translated when it is shown, as Flask-Babel's lazy_gettext does, but
    through gettext_now: a page shows the lazy labels of note kinds, journal sections and
    form fields dozens of times."""
    return LazyString(gettext_now, string, **variables)


def register_i18n(app: Flask) -> None:
    """Expose the formatting helpers to templates, and a template gettext that looks the
    catalogue up once per request (see _translations)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    # A page calls `_` some 300 times: Jinja's `_` calls its `gettext`, which calls the
    # function above, each through the context; these do the same work directly.
    app.jinja_env.globals.update(
        _=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext
    )
    app.jinja_env.globals["limit_hint_texts"] = limit_hint_texts
    app.jinja_env.globals["language_names"] = LANGUAGE_NAMES
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["short_date"] = short_date
    app.jinja_env.filters["short_datetime"] = short_datetime
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["percent"] = percent
    # The language this request settled on (flask_babel keeps it), not chosen again: a server
    # error's page must not read the user again.
    app.jinja_env.globals["select_locale"] = lambda: str(get_locale())
