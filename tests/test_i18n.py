"""Languages: Hungarian first, English on request; dates, the switch and the message catalogue."""

import os
import re
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import session
from flask_babel import refresh
from flask_login import login_user

from journal.extensions import babel, db
from journal.i18n import long_date, select_locale, short_datetime
from tests.apps import login
from tests.factories import make_user

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "journal" / "translations"
POT = TRANSLATIONS / "messages.pot"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
# The extraction command of babel.cfg: `pybabel extract` plus these options.
EXTRACT = ["-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext"]
# English translations that may equal the Hungarian text: the programme's own name and a word
# both languages share.
SAME_IN_ENGLISH = {"Kapcsolódások – Csoportos Mentorálás 2.0", "mentor", "Mentor"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.fixture(scope="session")
def english_catalogue():
    """Compile the English catalogue (as .ci/test does) when the .mo is missing or stale."""
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        with PO.open("rb") as source:
            catalogue = read_po(source, locale="en")
        with tempfile.NamedTemporaryFile(dir=MO.parent, suffix=".mo", delete=False) as target:
            write_mo(target, catalogue, use_fuzzy=True)  # like `pybabel compile -f`
        os.replace(target.name, MO)
        # Flask-Babel keeps loaded catalogues for the life of the process (on the shared
        # Babel object), so a page rendered before this compile would stay untranslated.
        if "domain_instance" in vars(babel):
            babel.domain_instance.cache.clear()
    return MO


def _read(path: Path, locale: str | None = None):
    """Read a .po or .pot file."""
    with path.open("rb") as source:
        return read_po(source, locale=locale)


def _ids(catalogue) -> set:
    """Return the msgids of a catalogue (a tuple for a plural message)."""
    return {message.id for message in catalogue if message.id}


def _locale_in_request(user=None, chosen: str | None = None) -> str:
    """Run select_locale in a request with an optional logged-in user and session choice."""
    refresh()
    if chosen is not None:
        session["language"] = chosen
    if user is not None:
        login_user(user)
    return select_locale()


# --- Dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [("hu", "2025. november 12."), ("en", "November 12, 2025")],
)
def test_long_date_in_each_language(app, language, expected):
    """long_date writes "2025. november 12." in Hungarian and "November 12, 2025" in English."""
    with app.test_request_context("/"):
        session["language"] = language
        refresh()
        assert long_date(date(2025, 11, 12)) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("hu", "2025. november 13."), ("en", "November 13, 2025")],
)
def test_long_date_of_a_moment_uses_budapest_time(app, language, expected):
    """A moment late on 12 November UTC is already 13 November in Budapest."""
    with app.test_request_context("/"):
        session["language"] = language
        refresh()
        assert long_date(datetime(2025, 11, 12, 23, 30, tzinfo=UTC)) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("hu", "2025. nov. 13. 0:30"), ("en", "Nov 13, 2025, 12:30\u202fAM")],
)
def test_short_datetime_is_unambiguous_in_each_language(app, language, expected):
    """A moment shows its month by name (not "11/13/25"), in Budapest time."""
    with app.test_request_context("/"):
        session["language"] = language
        refresh()
        assert short_datetime(datetime(2025, 11, 12, 23, 30, tzinfo=UTC)) == expected


def test_long_date_of_nothing_is_empty(app):
    """A missing date is shown as nothing rather than "None"."""
    with app.test_request_context("/"):
        assert long_date(None) == ""


# --- Choosing the language ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_language", "chosen", "expected"),
    [
        (None, None, "hu"),  # nobody chose: Hungarian
        (None, "en", "en"),  # a visitor's choice in the session
        (None, "de", "hu"),  # an unknown choice falls back to Hungarian
        ("en", "hu", "en"),  # the user's stored language beats the session
        ("hu", "en", "hu"),  # … also when it is Hungarian
        ("de", "en", "en"),  # an unknown stored language: the session decides
        ("de", None, "hu"),  # … and without one, Hungarian
    ],
)
def test_select_locale_precedence(app, user_language, chosen, expected):
    """The user's language wins over the session's choice, which wins over Hungarian."""
    user = make_user(language=user_language) if user_language else None
    with app.test_request_context("/"):
        assert _locale_in_request(user, chosen) == expected


def test_html_lang_follows_the_language(client, world, log_in):
    """<html lang> is "hu" by default, and the user's language once logged in."""
    assert '<html lang="hu">' in client.get("/login").get_data(as_text=True)
    user = world["participant_a"]
    user.language = "en"
    db.session.commit()
    log_in(user)
    with client.session_transaction() as sess:
        sess["language"] = "hu"  # an older choice in this browser does not win
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_visitor_switches_to_english(client, english_catalogue):
    """A visitor's choice is kept in the session and the login page turns English."""
    response = client.post("/language", data={"language": "en", "next": "/login"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    with client.session_transaction() as sess:
        assert sess["language"] == "en"
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "<h1>Log in</h1>" in html and "Bejelentkezés" not in html
    assert 'value="hu" lang="hu" class="link-button">Magyar</button>' in html


def test_language_switch_ignores_a_foreign_next(client):
    """The switch goes back only to a page of this site, never to another one."""
    response = client.post("/language", data={"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_logged_in_user_switch_is_stored(app, client, world, log_in, english_catalogue):
    """A logged-in user's choice is saved on the user and comes back on another device."""
    user = world["participant_a"]
    log_in(user)
    response = client.post("/language", data={"language": "en", "next": "/groups/alfa"})
    assert (response.status_code, response.headers["Location"]) == (303, "/groups/alfa")
    db.session.refresh(user)
    assert user.language == "en"
    assert '<html lang="en">' in client.get("/groups/alfa").get_data(as_text=True)

    other_device = app.test_client()
    login(other_device, user)
    html = other_device.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html and "My groups" in html


def test_visitor_unknown_language_changes_nothing(client):
    """An unknown language is refused with a Hungarian message and nothing is stored."""
    response = client.post("/language", data={"language": "de"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Ismeretlen nyelv." in html
    assert '<html lang="hu">' in html
    with client.session_transaction() as sess:
        assert "language" not in sess


def test_user_unknown_language_changes_nothing(client, world, log_in):
    """A logged-in user's unknown language is refused in Hungarian; the stored one stays."""
    user = world["participant_a"]
    log_in(user)
    response = client.post("/language", data={"language": "de"})
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ismeretlen nyelv." in html and '<html lang="hu">' in html
    db.session.refresh(user)
    assert user.language == "hu"
    with client.session_transaction() as sess:
        assert "language" not in sess


def test_english_user_unknown_language_stays_english(client, world, log_in, english_catalogue):
    """An English user who sends an unknown language keeps English and is told in English."""
    user = world["participant_a"]
    user.language = "en"
    db.session.commit()
    log_in(user)
    response = client.post("/language", data={"language": "xx"}, follow_redirects=True)
    assert "Unknown language." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.language == "en"


# --- English pages ------------------------------------------------------------------------------


def test_english_user_sees_english_home_page(client, world, log_in, english_catalogue):
    """A participant whose language is English gets the home page in English, plurals too."""
    user = world["participant_a"]
    user.language = "en"
    db.session.commit()
    log_in(user)
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "<h1>My groups</h1>" in html
    assert "2 participants" in html and "Next workshop: not planned yet" in html
    assert "Log out" in html and "Skip to content" in html
    assert "Csoportjaim" not in html and "Kijelentkezés" not in html


def test_english_coordinator_sees_singular_and_plural(client, world, log_in, english_catalogue):
    """English needs a singular ("1 participant") where Hungarian says "1 résztvevő"."""
    user = world["coordinator"]
    user.language = "en"
    _a_note_this_month(world)
    log_in(user)
    html = client.get("/").get_data(as_text=True)
    assert "Program overview" in html
    assert ">1 note</a>" in html and ">0 notes</a>" in html


def test_hungarian_user_sees_hungarian_home_page(client, world, log_in, english_catalogue):
    """With the English catalogue present, a Hungarian user still gets Hungarian."""
    _a_note_this_month(world)
    log_in(world["coordinator"])
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="hu">' in html
    assert "A program áttekintése" in html
    assert ">1 jegyzet</a>" in html and ">0 jegyzet</a>" in html


def _a_note_this_month(world) -> None:
    """Add a note to group alfa (none to beta)."""
    from journal.models import Note, NoteKind

    author = world["participant_a"]
    db.session.add(Note(group=world["group_a"], author=author, kind=NoteKind.QUESTION, title="K"))
    db.session.commit()


# --- The catalogue ------------------------------------------------------------------------------


def test_catalogue_template_is_up_to_date(tmp_path):
    """messages.pot holds exactly the strings marked in the code and templates."""
    fresh = tmp_path / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", *EXTRACT, "-o", str(fresh), str(ROOT)])
    marked, committed = _ids(_read(fresh)), _ids(_read(POT))
    assert marked == committed, (
        f"new: {sorted(map(str, marked - committed))}; gone: {sorted(map(str, committed - marked))}"
        " — re-extract (see babel.cfg), then `pybabel update` and translate"
    )


def test_english_catalogue_matches_the_template():
    """The English .po has an entry for every msgid in the .pot and no others."""
    template, english = _ids(_read(POT)), _ids(_read(PO, "en"))
    assert template == english, (
        f"missing: {sorted(map(str, template - english))}; "
        f"extra: {sorted(map(str, english - template))} — run `pybabel update`"
    )


def test_the_english_says_program_one_way():
    """American "program" throughout, as the program's own name is written in English: a
    British "programme" beside it read as two different things."""
    english = _read(PO, "en")
    texts = [
        t
        for m in english
        if m.id
        for t in (m.string if isinstance(m.string, tuple) else (m.string,))
    ]
    assert not [t for t in texts if "programme" in t.lower()]


def test_every_message_has_an_english_translation():
    """Every msgid has a non-empty, non-fuzzy English text with the same placeholders."""
    english = _read(PO, "en")
    assert english.num_plurals == 2
    problems = []
    for message in english:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(text.strip() for text in texts):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for text in texts:
            if set(PLACEHOLDER.findall(text)) != wanted:
                problems.append(f"placeholders differ: {ids[0]!r} → {text!r}")
        if texts[0] == ids[0] and ids[0] not in SAME_IN_ENGLISH:
            problems.append(f"copied, not translated: {ids[0]!r}")
    problems += [f"{message.id!r}: {errors}" for message, errors in english.check()]
    assert not problems, "\n".join(problems)


def test_template_strings_follow_a_forced_locale_within_one_request(app):
    """The catalogue templates use is found once per request, but per locale: inside
    force_locale (the Hungarian documents of an English user) Hungarian, English again after."""
    from flask import render_template_string
    from flask_babel import force_locale

    page = "{{ _('Mentés') }}"
    with app.test_request_context("/"):
        session["language"] = "en"
        assert render_template_string(page) == "Save"
        with force_locale("hu"):
            assert render_template_string(page) == "Mentés"
        assert render_template_string(page) == "Save"
