"""Issue 5's privacy acceptance on the demo itself: a unique marker in every non-report field
of the seeded demo, then every PDF and preview of every workshop, group and the program."""

import pytest
from sqlalchemy import select

from journal.extensions import db
from journal.models import (
    Draft,
    Group,
    JournalSection,
    Note,
    Reply,
    SectionRevision,
    User,
    Visibility,
    Workshop,
    WorkshopStatus,
)
from tests.apps import login
from tests.pdfs import pdf_text

# Each kind of document is its own test, so that the ~100 renders spread over the workers.
# Beside each, what the report may show and so must reach it: the journal's report sections
# ("Téma és célok") and the note the mentor picked.
WORKSHOP_DOCUMENTS = {
    "/workshops/{id}/attendance-sheet": (),
    "/workshops/{id}/attendance-sheet/filled": (),
    "/workshops/{id}/record": ("report-text",),
}
WHOLE_DOCUMENTS = ("report-text", "picked-note")


def _text(data: bytes) -> str:
    """Return the text of every page of a PDF, words hyphenated at a line end joined (so that
    a marker broken across two lines is still found)."""
    return pdf_text(data).replace("-\n", "")


def _report_note(note: Note) -> bool:
    """Tell whether a note may appear in a report (what the issue allows)."""
    return (
        note.in_report
        and not note.report_consent_withdrawn
        and not note.mentor_only
        and note.deleted_at is None
        and note.hidden_at is None
    )


def _plant() -> dict:
    """Put a unique marker into every field of the demo that no document may show."""
    planted: dict = {}

    def mark(kind: str, row_id: int, field: str) -> str:
        planted[kind] = planted.get(kind, 0) + 1
        return f"TITOK-{kind}-{row_id}-{field}"

    for workshop in db.session.scalars(select(Workshop)):
        workshop.agenda = mark("napirend", workshop.id, "agenda")
    for section in db.session.scalars(select(JournalSection)):
        if not (section.in_report and section.visibility != Visibility.PRIVATE):
            section.body = mark(f"naplo-{section.visibility.value}", section.id, section.key)
    for revision in db.session.scalars(select(SectionRevision)):
        revision.body = mark("valtozat", revision.id, "body")
    for draft in db.session.scalars(select(Draft)):
        draft.body = mark("piszkozat", draft.id, "body")
    notes = db.session.scalars(select(Note).order_by(Note.id)).all()
    held = {}
    for workshop in db.session.scalars(select(Workshop).order_by(Workshop.date)):
        if workshop.status == WorkshopStatus.HELD:
            held.setdefault(workshop.group_id, workshop)
    # The demo picks no note for the report: pick one, so that the notes part is not empty.
    picked = next(n for n in notes if not (n.mentor_only or n.hidden_at or n.deleted_at))
    picked.in_report = True
    planted["picked-note-title"] = picked.title
    for note in notes:
        note.hidden_reason = mark("rejtes-oka", note.id, "reason")
        if not _report_note(note):
            kind = "jegyzet"
            # Tied to a held workshop, so that it falls inside every report's period.
            note.workshop = held[note.group_id]
            if note.mentor_only or note.hidden_at or note.deleted_at:
                # Picked for the report anyway: its other flags alone must keep it out.
                note.in_report = True
                kind = "jegyzet-kizart"
            planted[kind] = planted.get(kind, 0) + 1
            note.title = mark("jegyzet", note.id, "title")
            note.body = mark("jegyzet", note.id, "body")
            note.link = "https://example.org/" + mark("jegyzet", note.id, "link")
    for reply in db.session.scalars(select(Reply)):
        reply.body = mark("valasz", reply.id, "body")
    for user in db.session.scalars(select(User).where(User.email != "jozsa.kata@example.org")):
        user.email = mark("email", user.id, "x").lower() + "@example.org"
    db.session.commit()
    return planted


@pytest.fixture
def demo(app, tmp_path):
    """The seeded demo with markers planted."""
    from journal.demo import seed_demo

    app.config["REPORT_CACHE_DIR"] = str(tmp_path / "pdf-cache")
    seed_demo()
    db.session.commit()
    # A private section and a note the mentor picked but which is mentor-only, at least.
    assert db.session.scalar(
        select(JournalSection).where(JournalSection.visibility == Visibility.PRIVATE)
    )
    return _plant()


def _assert_clean(text: str, where: str) -> None:
    """Fail on any planted marker."""
    assert "titok" not in text.lower(), (where, [w for w in text.split() if "TITOK" in w.upper()])


@pytest.mark.parametrize(
    "documents", [*WORKSHOP_DOCUMENTS, "summaries"], ids=lambda d: d.rsplit("/", 1)[-1]
)
def test_no_planted_marker_in_any_document_of_the_demo(client, demo, documents):
    """Every workshop's sheets and record, every group summary and the program report, as PDF
    and as preview, for the coordinator: none shows a marker."""
    for kind in ("napirend", "naplo-private", "jegyzet", "jegyzet-kizart", "email"):
        assert demo.get(kind), f"nothing planted for {kind}: {demo}"
    coordinator = db.session.scalar(select(User).where(User.email == "jozsa.kata@example.org"))
    login(client, coordinator, password="muhelynaplo")
    if documents in WORKSHOP_DOCUMENTS:
        workshops = db.session.scalars(select(Workshop).order_by(Workshop.id)).all()
        urls = [documents.format(id=w.id) for w in workshops]
        expected = WORKSHOP_DOCUMENTS[documents]
    else:
        groups = db.session.scalars(select(Group).order_by(Group.id)).all()
        urls = [f"/groups/{g.slug}/summary" for g in groups] + ["/program/report"]
        urls += ["/methods/compendium"]  # where each method was used: group, topic and day only
        expected = WHOLE_DOCUMENTS
    seen = set()
    for url in urls:
        preview = client.get(url)
        assert preview.status_code == 200, url
        _assert_clean(preview.get_data(as_text=True), url)
        pdf = client.get(url + ".pdf")
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf", url
        text = _text(pdf.data)
        _assert_clean(text, url + ".pdf")
        if "Téma és célok" in text:
            seen.add("report-text")
        if demo["picked-note-title"] in " ".join(text.split()):
            seen.add("picked-note")
    # What the report may show did reach the documents.
    assert seen == set(expected)


def test_a_group_summary_shows_no_other_group(client, demo):
    """No other group's workshop topic or participant reaches a group's summary."""
    coordinator = db.session.scalar(select(User).where(User.email == "jozsa.kata@example.org"))
    login(client, coordinator, password="muhelynaplo")
    groups = db.session.scalars(select(Group).order_by(Group.id)).all()
    for group in groups:
        text = " ".join(_text(client.get(f"/groups/{group.slug}/summary.pdf").data).split())
        for other in groups:
            if other is group:
                continue
            for workshop in db.session.scalars(select(Workshop).where(Workshop.group == other)):
                assert workshop.topic[:25] not in text, (group.slug, workshop.topic)
            for membership in other.memberships:
                # The coordinator signs every summary.
                if membership.user.is_coordinator:
                    continue
                if membership.user not in [m.user for m in group.memberships]:
                    assert membership.user.full_name not in text, (group.slug, other.slug)
