"""Search finds exactly what each person may read: a unique word planted in every kind of
text that some may read and others not, searched for as every role (on SQLite and, in CI, on
PostgreSQL). The words are searched without accents and as prefixes, the way people type."""

from datetime import date, timedelta

import pytest

from journal.extensions import db
from journal.journals.operations import save_section
from journal.models import Draft, NoteKind, Reply, Visibility, local_today, utcnow
from journal.narratives.operations import save_text
from journal.narratives.queries import Place
from journal.notes.operations import add_reply, delete_note, hide_note
from tests.factories import make_journal, make_membership, make_user, make_workshop
from tests.test_notes import make_note, relogin

A_MEMBERS = {"mentor_a", "participant_a", "participant_a2"}
# planted word → who finds it
PLANTED = {
    "privatszo": {"mentor_a"},  # a private section: its author alone
    "koordszo": {"mentor_a", "coordinator"},  # a coordination section
    "csoportszo": A_MEMBERS | {"coordinator"},  # a section shared with the group
    "mentorszo": {"participant_a", "mentor_a"},  # a mentor-only note: author and mentor
    "rejtettszo": {"participant_a2", "mentor_a", "coordinator"},  # a hidden note
    "torolszo": set(),  # a deleted note: on no board, so nowhere
    "piszkozatszo": set(),  # a draft is never searchable
    "masikszo": {"participant_b", "mentor_b", "coordinator"},  # another group's note
    "valaszszo": A_MEMBERS | {"coordinator"},  # a reply under a shared note
    "titokvalaszszo": {"participant_a", "mentor_a"},  # a reply under a mentor-only note
    "torolvalaszszo": set(),  # a deleted reply
    "muhelyszo": {"participant_b", "mentor_b", "coordinator"},  # a workshop of group béta
    "programszo": {"coordinator"},  # the program's report text
    "beszamoloszo": {"mentor_a", "coordinator"},  # group alfa's report text
}
ROLES = ("coordinator", "mentor_a", "mentor_b", "participant_a", "participant_a2",
         "participant_b", "former")  # fmt: skip


@pytest.fixture
def planted(world):
    """Every planted word in its place, written the way the app writes it."""
    a, b, mentor = world["group_a"], world["group_b"], world["mentor_a"]
    # A participant who left group alfa yesterday finds nothing of it any more.
    world["former"] = make_user(family_name="Volt", given_name="Vilma")
    make_membership(world["former"], a, left_on=local_today() - timedelta(days=1))
    journal = make_journal(make_workshop(a), mentor)
    sections = iter(journal.sections)
    for word, visibility in (("Privátszó", Visibility.PRIVATE),
                             ("Koordszó", Visibility.COORDINATION),
                             ("Csoportszó", Visibility.GROUP)):  # fmt: skip
        section = next(sections)
        save_section(mentor, section, section.version, f"Benne: {word}.", visibility, False)
    secret = make_note(world["participant_a"], a, title="Mentorszó", mentor_only=True)
    hidden = make_note(world["participant_a2"], a, title="Rejtettszó")
    hide_note(mentor, hidden, "Nem ide való.")
    deleted = make_note(world["participant_a"], a, title="Törölszó")
    delete_note(world["participant_a"], deleted)
    db.session.add(Draft(user_id=mentor.id, key=f"section:{journal.sections[4].id}",
                         body="Piszkozatszó", saved_at=utcnow()))  # fmt: skip
    make_note(world["participant_b"], b, title="Másikszó", kind=NoteKind.QUESTION)
    shared = make_note(world["participant_a2"], a, title="Közös")
    add_reply(mentor, shared, "Válaszszó itt.")
    add_reply(mentor, secret, "Titokválaszszó itt.")
    gone = add_reply(world["participant_a"], shared, "Törölválaszszó itt.")
    db.session.get(Reply, gone.id).deleted_at = utcnow()
    make_workshop(b, topic="Műhelyszó napja")
    period = (date(2026, 1, 1), date(2026, 3, 31))
    save_text(world["coordinator"], Place("program", *period), 0, "Programszó.")
    save_text(mentor, Place(f"group:{a.id}", *period), 0, "Beszámolószó.")
    db.session.commit()
    return world


@pytest.mark.parametrize("who", ROLES)
def test_each_planted_word_is_found_exactly_by_those_allowed(client, planted, who):
    """For every role, each word is found if and only if that person may read its text."""
    relogin(client, planted[who])
    for word, readers in PLANTED.items():
        page = client.get("/search", query_string={"q": word[:-1]}).get_data(as_text=True)
        hits = page.count('class="result"')
        assert hits == (1 if who in readers else 0), (who, word, hits)
