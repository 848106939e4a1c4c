"""The seven sections of a mentor's journal: keys, titles, guiding questions, defaults."""

from dataclasses import dataclass

from journal.i18n import lazy_gettext as _l
from journal.models import Visibility


@dataclass(frozen=True)
class SectionSpec:
    """What a section is called, what it asks, and who reads it by default."""

    key: str
    title: str
    question: str
    default_visibility: Visibility


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        "topic",
        _l("Téma és célok"),
        _l("Mi volt a foglalkozás témája, és mit szerettek volna elérni vele?"),
        Visibility.COORDINATION,
    ),
    SectionSpec(
        "process",
        _l("A foglalkozás menete"),
        _l("Hogyan zajlott az alkalom? Milyen szakaszai voltak, mi történt bennük?"),
        Visibility.COORDINATION,
    ),
    SectionSpec(
        "methods",
        _l("Alkalmazott módszerek"),
        _l("Milyen módszereket, eszközöket használt, és hogyan működtek?"),
        Visibility.COORDINATION,
    ),
    SectionSpec(
        "raised",
        _l("Amit a csoport felvetett"),
        _l("Milyen nehézségeket, kérdéseket, témákat hoztak a résztvevők?"),
        Visibility.COORDINATION,
    ),
    SectionSpec(
        "outcomes",
        _l("Eredmények, felismerések"),
        _l("Mire jutott a csoport? Milyen felismerések, közös tanulságok születtek?"),
        Visibility.COORDINATION,
    ),
    SectionSpec(
        "reflection",
        _l("Mentori önreflexió"),
        _l("Hogyan élte meg mentorként az alkalmat? Mi sikerült, min változtatna legközelebb?"),
        Visibility.PRIVATE,
    ),
    SectionSpec(
        "next_steps",
        _l("Következő lépések"),
        _l("Mi legyen a folytatás? Mit visz tovább a csoport a következő alkalomra?"),
        Visibility.COORDINATION,
    ),
)

BY_KEY: dict[str, SectionSpec] = {spec.key: spec for spec in SECTIONS}


def spec_for(key: str) -> SectionSpec:
    """Return the registry entry of a section key."""
    return BY_KEY[key]


def visibility_labels() -> dict[str, str]:
    """Return the Hungarian badge text of each visibility."""
    return {
        Visibility.PRIVATE.value: _l("csak én látom"),
        Visibility.COORDINATION.value: _l("koordinátor is látja"),
        Visibility.GROUP.value: _l("a csoport is látja"),
    }


def visibility_choices() -> list[tuple[str, str]]:
    """Return the visibility choices of the editor, from most to least private."""
    return [
        (Visibility.PRIVATE.value, _l("Privát – csak én látom")),
        (Visibility.COORDINATION.value, _l("Koordináció – a koordinátor is látja")),
        (Visibility.GROUP.value, _l("Csoport – a résztvevők is látják")),
    ]


# From the fewest readers to the most.
_WIDTH = (Visibility.PRIVATE, Visibility.COORDINATION, Visibility.GROUP)


def narrower(
    first: tuple[Visibility, bool], second: tuple[Visibility, bool]
) -> tuple[Visibility, bool]:
    """Return the (visibility, in the report) that lets fewer people read: what a text gets
    when two wishes meet (a conflict, an old text brought back), so no text is ever read more
    widely than its writer chose without the writer choosing it again. A private text is never
    in the report."""
    visibility = min(first[0], second[0], key=_WIDTH.index)
    return visibility, first[1] and second[1] and visibility != Visibility.PRIVATE
