"""Privacy of journal sections: each visibility level × each kind of viewer × every view.

Every section carries a unique marker; for every viewer and every page or fragment we assert
exactly which markers appear. Text saved while a section was private stays hidden even after
the section is shared.
"""

import pytest

from journal.extensions import db
from journal.journals import queries
from journal.journals.operations import save_section
from journal.models import JournalSection, Visibility, local_today
from tests.factories import make_journal, make_workshop

HX = {"HX-Request": "true"}

# section key → (visibility, marker of its current text, marker of its first text)
LAYOUT = {
    "topic": (Visibility.PRIVATE, "MARK-PRIVATE-NOW", "MARK-PRIVATE-OLD"),
    "process": (Visibility.COORDINATION, "MARK-COORD-NOW", "MARK-COORD-OLD"),
    "methods": (Visibility.GROUP, "MARK-GROUP-NOW", "MARK-GROUP-OLD"),
}
# A section first written as private, then shared with the group.
WAS_PRIVATE = "MARK-WAS-PRIVATE"
NOW_SHARED = "MARK-NOW-SHARED"
ALL_MARKERS = {m for _, now, old in LAYOUT.values() for m in (now, old)} | {WAS_PRIVATE, NOW_SHARED}

READABLE = {
    "author": {Visibility.PRIVATE, Visibility.COORDINATION, Visibility.GROUP},
    "other_mentor": set(),
    "coordinator": {Visibility.COORDINATION, Visibility.GROUP},
    "participant": {Visibility.GROUP},
    "other_participant": set(),
}
VIEWER_KEYS = {
    "author": "mentor_a",
    "other_mentor": "mentor_b",
    "coordinator": "coordinator",
    "participant": "participant_a",
    "other_participant": "participant_b",
}


@pytest.fixture
def journal_world(world):
    """A workshop of group alfa whose journal has one section per visibility level."""
    mentor = world["mentor_a"]
    workshop = make_workshop(world["group_a"])
    journal = make_journal(workshop, mentor)
    sections = {s.key: s for s in journal.sections}
    for key, (visibility, now, old) in LAYOUT.items():
        section = sections[key]
        save_section(mentor, section, section.version, f"{old}\n\nközös sor", visibility, False)
        in_report = visibility != Visibility.PRIVATE
        save_section(mentor, section, section.version, f"{now}\n\nközös sor", visibility, in_report)
    outcomes = sections["outcomes"]
    save_section(mentor, outcomes, outcomes.version, WAS_PRIVATE, Visibility.PRIVATE, False)
    save_section(mentor, outcomes, outcomes.version, NOW_SHARED, Visibility.GROUP, False)
    db.session.commit()
    return world | {"workshop": workshop, "journal": journal, "sections": sections}


def _expected(viewer: str, *, history: bool = False, preview: bool = False) -> set[str]:
    """Return the markers this viewer must see on a page of the whole journal."""
    readable = READABLE[viewer]
    if preview:
        # The preview is exactly the report: current texts of non-private flagged sections.
        return {now for visibility, now, _ in LAYOUT.values() if visibility != Visibility.PRIVATE}
    seen = {now for visibility, now, _ in LAYOUT.values() if visibility in readable}
    if Visibility.GROUP in readable:
        seen.add(NOW_SHARED)
    if Visibility.PRIVATE in readable and history:
        seen.add(WAS_PRIVATE)
    return seen


def _markers(html: str) -> set[str]:
    """Return the markers that occur in a response."""
    return {m for m in ALL_MARKERS if m in html}


def _login(client, log_in, user) -> None:
    """Log out, then log the viewer in."""
    client.post("/logout")
    log_in(user)


@pytest.mark.parametrize("viewer", list(VIEWER_KEYS))
def test_journal_page_shows_exactly_the_readable_sections(client, journal_world, log_in, viewer):
    """The journal on the page carries the markers of readable sections only."""
    w = journal_world
    _login(client, log_in, w[VIEWER_KEYS[viewer]])
    urls = [f"/workshops/{w['workshop'].id}", f"/workshops/{w['workshop'].id}/journal"]
    for url in urls:
        for headers in ({}, HX):
            response = client.get(url, headers=headers)
            if viewer in ("other_mentor", "other_participant"):
                assert response.status_code == 404, url
                assert not _markers(response.get_data(as_text=True))
                continue
            assert response.status_code == 200, url
            assert response.headers["Cache-Control"] == "private, no-store"
            assert _markers(response.get_data(as_text=True)) == _expected(viewer), (url, headers)


@pytest.mark.parametrize("viewer", list(VIEWER_KEYS))
@pytest.mark.parametrize("key", [*LAYOUT, "outcomes"])
def test_section_fragments_history_and_diff(client, journal_world, log_in, viewer, key):
    """Fragment, editor, history and diff of each section: 200 with its text, or 404/403."""
    w = journal_world
    section: JournalSection = w["sections"][key]
    visibility = section.visibility
    readable = visibility in READABLE[viewer]
    _login(client, log_in, w[VIEWER_KEYS[viewer]])
    sid = section.id
    if key == "outcomes":
        now, old = NOW_SHARED, WAS_PRIVATE
    else:
        _, now, old = LAYOUT[key]

    for url in (f"/sections/{sid}", f"/sections/{sid}/history"):
        for headers in ({}, HX):
            response = client.get(url, headers=headers)
            html = response.get_data(as_text=True)
            if not readable:
                assert response.status_code == 404, url
                assert not _markers(html)
                continue
            assert response.status_code == 200, url
            assert response.headers["Cache-Control"] == "private, no-store"
            assert now in html
            # An earlier text is in the history only for those who could read it then.
            old_visible = url.endswith("/history") and (
                key != "outcomes" or Visibility.PRIVATE in READABLE[viewer]
            )
            assert (old in html) == old_visible, url
            assert _markers(html) <= {now, old}

    editor = client.get(f"/sections/{sid}/edit", headers=HX)
    if not readable:
        assert editor.status_code == 404
    elif viewer == "author":
        assert editor.status_code == 200 and now in editor.get_data(as_text=True)
    else:
        assert editor.status_code == 403
        assert not _markers(editor.get_data(as_text=True))

    diff = client.get(f"/sections/{sid}/compare?from=2&to=3")
    html = diff.get_data(as_text=True)
    if not readable or (key == "outcomes" and viewer != "author"):
        # The first version of "outcomes" was private: comparing with it is not possible.
        assert diff.status_code == 404
        assert not _markers(html)
    else:
        assert diff.status_code == 200
        assert _markers(html) == {now, old}


@pytest.mark.parametrize("viewer", list(VIEWER_KEYS))
def test_report_preview(client, journal_world, log_in, viewer):
    """The preview is for the mentor and the coordinator, and never holds private text."""
    w = journal_world
    _login(client, log_in, w[VIEWER_KEYS[viewer]])
    response = client.get(f"/workshops/{w['workshop'].id}/journal/preview")
    html = response.get_data(as_text=True)
    expected_status = {
        "author": 200,
        "coordinator": 200,
        "participant": 403,
        "other_mentor": 404,
        "other_participant": 404,
    }[viewer]
    assert response.status_code == expected_status
    assert _markers(html) == (_expected(viewer, preview=True) if expected_status == 200 else set())


def test_sql_filter_loads_nothing_unreadable(journal_world):
    """The read queries return only readable sections, so nothing else is even loaded."""
    w = journal_world
    journal = w["journal"]
    for viewer, key in VIEWER_KEYS.items():
        sections = queries.readable_sections(w[key], journal)
        assert {s.visibility for s in sections} <= READABLE[viewer]
        expected_count = sum(1 for s in w["sections"].values() if s.visibility in READABLE[viewer])
        assert len(sections) == expected_count
        for section in w["sections"].values():
            found = queries.section_for_reading(w[key], section.id)
            assert (found is not None) == (section.visibility in READABLE[viewer])


def test_private_text_stays_out_after_a_participant_left(client, journal_world, log_in):
    """A former participant sees nothing of the journal any more."""
    from datetime import timedelta

    w = journal_world
    membership = next(m for m in w["participant_a"].memberships if m.group_id == w["group_a"].id)
    membership.left_on = local_today() - timedelta(days=1)
    db.session.commit()
    _login(client, log_in, w["participant_a"])
    response = client.get(f"/sections/{w['sections']['methods'].id}")
    assert response.status_code == 404
