"""Demo shared notes for a few groups; loading them again changes nothing."""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from journal.extensions import db
from journal.models import (
    Group,
    Note,
    NoteKind,
    Reaction,
    Reply,
    User,
    Workshop,
    WorkshopStatus,
    utcnow,
)

# group slug, author email, kind, title, body, link, mentor-only, me-too emails, replies
DEMO_NOTES = [
    (
        "tata",
        "nyari.dora@example.org",
        NoteKind.DIFFICULTY,
        "A közösségi szolgálat letelte után eltűnnek a diákok",
        "Az 50 óra után a legtöbben nem jönnek vissza. Hogyan lehet **önkéntessé** tenni "
        "azt, aki eddig csak „órát gyűjtött”?",
        "",
        False,
        ["lengyel.adam@example.org", "urge.petra@example.org", "gal.noemi@example.org"],
        [
            (
                "szabo.csaba@example.org",
                "Érdemes a következő alkalmon közösen megnézni, kik "
                "maradtak, és ők mit mondanak, miért.",
            )
        ],
    ),
    (
        "tata",
        "lengyel.adam@example.org",
        NoteKind.GOOD_PRACTICE,
        "Diákok tervezik a nyári tábor egy napját",
        "Idén a táborban egy napot teljesen a diákok szerveztek. Sokkal jobban bevonódtak, "
        "mint amikor mi kínáltunk programot.\n\n- kis csapatok\n- saját költségkeret\n"
        "- este közös értékelés",
        "",
        False,
        [],
        [("nyari.dora@example.org", "Ezt szívesen kipróbálnám a téli szünetben!")],
    ),
    (
        "tata",
        "urge.petra@example.org",
        NoteKind.QUESTION,
        "Milyen eszközzel tartjátok a kapcsolatot a fiatalokkal?",
        "E-mailt nem olvasnak, a Facebookot sem mindenki használja. Mi vált be nálatok?",
        "",
        False,
        ["dozsa.bence@example.org"],
        [],
    ),
    (
        "tata",
        "szekeres.laura@example.org",
        NoteKind.REFLECTION,
        "Kevés vagyok a csoport tempójához",
        "Úgy érzem, a többiek sokkal tapasztaltabbak. Ezt inkább csak a mentornak írom meg.",
        "",
        True,
        [],
        [],
    ),
    (
        "komlo-hegyhat",
        "csizmadia.marta@example.org",
        NoteKind.RESOURCE,
        "Helyi értéktár-útmutató",
        "A települési értéktár bizottságok munkájához hasznos, rövid összefoglaló.",
        "https://www.hungarikum.hu/",
        False,
        [],
        [],
    ),
    (
        "komlo-hegyhat",
        "gyenes.balazs@example.org",
        NoteKind.DIFFICULTY,
        "Nehéz a szomszéd településekkel közös programot egyeztetni",
        "Mindenki a saját naptárát nézi; a térségi csomag így lassan áll össze.",
        "",
        False,
        ["csizmadia.marta@example.org", "ori.judit@example.org"],
        [],
    ),
    (
        "kecskemet",
        "tyukodi.erika@example.org",
        NoteKind.GOOD_PRACTICE,
        "Önkéntes-köszöntő a falunapon",
        "A falunap végén név szerint megköszöntük az önkénteseknek a munkát a színpadon. "
        "Hárman jelentkeztek azóta a következő rendezvényre.",
        "",
        False,
        ["barany.levente@example.org"],
        [],
    ),
]

# The notes the group's mentor picked for the PDF summaries (their authors did not object).
PICKED_FOR_REPORT = {
    "Diákok tervezik a nyári tábor egy napját",
    "Helyi értéktár-útmutató",
    "Önkéntes-köszöntő a falunapon",
}


def seed_demo_notes() -> None:
    """Add the demo notes that are not there yet, with their replies and me-toos."""
    people = {u.email: u for u in db.session.scalars(select(User))}
    groups = {g.slug: g for g in db.session.scalars(select(Group))}
    for i, (slug, email, kind, title, body, link, private, metoo, replies) in enumerate(DEMO_NOTES):
        group, author = groups.get(slug), people.get(email)
        if group is None or author is None:
            continue
        exists = db.session.scalar(
            select(Note.id).where(
                Note.group_id == group.id, Note.author_id == author.id, Note.title == title
            )
        )
        if exists:
            continue
        latest = db.session.scalar(
            select(Workshop)
            .where(Workshop.group_id == group.id, Workshop.status == WorkshopStatus.HELD)
            .order_by(Workshop.date.desc())
            .limit(1)
        )
        # Written the evening after the group's latest workshop (inside the program's period,
        # so that the summaries count them); without one, a few days ago.
        if latest is None:
            when = utcnow() - timedelta(days=len(DEMO_NOTES) - i)
        else:
            when = datetime.combine(latest.date, time(19, i), tzinfo=UTC)
        # Difficulties and good practices come out of that workshop; the rest go on the board.
        from_workshop = latest is not None and kind in (NoteKind.DIFFICULTY, NoteKind.GOOD_PRACTICE)
        note = Note(
            group_id=group.id,
            workshop_id=latest.id if from_workshop else None,
            author_id=author.id,
            kind=kind,
            title=title,
            body=body,
            link=link,
            mentor_only=private,
            in_report=title in PICKED_FOR_REPORT and not private,
            created_at=when,
            updated_at=when,
        )
        db.session.add(note)
        db.session.flush()
        for other in metoo:
            if other in people:
                db.session.add(Reaction(note_id=note.id, user_id=people[other].id))
        for j, (other, text) in enumerate(replies):
            if other in people:
                db.session.add(
                    Reply(
                        note_id=note.id,
                        author_id=people[other].id,
                        body=text,
                        created_at=when + timedelta(hours=j + 1),
                    )
                )
    db.session.flush()
