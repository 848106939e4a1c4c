"""Demo journals: realistic entries for the first held workshops of the demo groups."""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from journal.extensions import db
from journal.journals.operations import finalise, save_section, start_journal
from journal.models import Group, Journal, Membership, Role, Visibility, Workshop, WorkshopStatus

# group slug → section key → (text, visibility, in report)
JOURNALS: dict[str, dict[str, tuple[str, Visibility, bool]]] = {
    "komlo-hegyhat": {
        "topic": (
            "Helyi értékeink számbavétele: mit tudunk kínálni a térségben úgy, hogy a saját "
            "településünk értékeire építünk? Cél volt, hogy mindenki megnevezzen **legalább "
            "három** helyi értéket, amelyből programcsomag lehet.",
            Visibility.GROUP,
            True,
        ),
        "process": (
            "1. Ráhangolódás: „Mit vinnék el a falumból egy bőröndben?”\n"
            "2. Értéktérkép kiscsoportokban, településenként\n"
            "3. Közös galériasétán néztük meg egymás térképeit\n"
            "4. Lezárás: mindenki egy mondatban elmondta, mit visz haza",
            Visibility.COORDINATION,
            True,
        ),
        "methods": (
            "- bőrönd-kérdés (ráhangolódás)\n- értéktérkép csomagolópapíron\n"
            "- galériaséta öntapadós visszajelzésekkel\n- reflektív napló a lezáráshoz",
            Visibility.GROUP,
            False,
        ),
        "raised": (
            "Többen jelezték, hogy kevés az ember a programok szervezésére, és nehéz bevonni "
            "az önkormányzatot. Kérdésként merült fel, hogyan lehet a kis települések "
            "kínálatát *egy csomagba* fűzni úgy, hogy senki ne érezze magát háttérbe szorítva.",
            Visibility.COORDINATION,
            True,
        ),
        "outcomes": (
            "Tizenkét helyi érték került a közös térképre; három olyan témát találtunk "
            "(gasztronómia, népi mesterségek, tanösvények), amely több településen is megvan. "
            "Ebből indulhat az első térségi programcsomag.",
            Visibility.GROUP,
            True,
        ),
        "reflection": (
            "A galériasétánál túl sokat beszéltem én; legközelebb több teret hagyok a "
            "csoportnak. Jó volt látni, hogy a csendesebb résztvevők is megszólaltak a "
            "kiscsoportban.",
            Visibility.PRIVATE,
            False,
        ),
        "next_steps": (
            "A következő alkalomra mindenki hoz egy rövid leírást a saját értékéről "
            "(fénykép nem kell). Kiválasztjuk az első közös programcsomag témáját.",
            Visibility.GROUP,
            True,
        ),
    },
    "sumeg": {
        "topic": (
            "Mentor-identitás: ki vagyok én a hálózatban? Az 1.0 program tapasztalataira "
            "építve azt kerestük, milyen szerepeket vállalunk egymás mellett.",
            Visibility.GROUP,
            True,
        ),
        "process": (
            "Az 1.0 programban részt vevők röviden felidézték, mit adott nekik a csoport. "
            "Ezután *fishbowl*-beszélgetés következett a mentori szerepekről, végül mindenki "
            "egyéni reflexiót írt.",
            Visibility.COORDINATION,
            True,
        ),
        "methods": (
            "- fishbowl (belső és külső kör)\n- reflektív napló\n- „szerepkártyák” a "
            "ráhangolódáshoz",
            Visibility.GROUP,
            True,
        ),
        "raised": (
            "Többen érzik úgy, hogy a településükön egyedül viszik a közművelődést, és "
            "nincs kivel megbeszélni a nehéz helyzeteket. Kérdés volt, hogyan lehet a "
            "járás intézményei között rendszeres kapcsolatot tartani.",
            Visibility.COORDINATION,
            True,
        ),
        "outcomes": (
            "Megfogalmaztuk, hogy a csoport „híd” szerepe kettős: egymás között és a saját "
            "közösségeink felé. Kialakult egy havi online beszélgetés ötlete.",
            Visibility.GROUP,
            True,
        ),
        "reflection": (
            "A fishbowl elején lassan indult a beszélgetés; legközelebb rövidebb "
            "ráhangolódással és egy konkrét esettel kezdeném.",
            Visibility.PRIVATE,
            False,
        ),
        "next_steps": (
            "Kipróbáljuk a havi online beszélgetést; a következő alkalomra mindenki hoz egy "
            "esetet a saját gyakorlatából.",
            Visibility.GROUP,
            True,
        ),
    },
    "kecskemet": {
        "topic": (
            "Partnerségi kapcsolataink: kikkel dolgozunk együtt, és kikkel szeretnénk? "
            "A cél a műhely közös, nyitott programjának előkészítése volt.",
            Visibility.GROUP,
            True,
        ),
        "process": (
            "Kapcsolati térképet rajzoltunk intézményenként, majd összevetettük, hol vannak "
            "közös partnereink. A második részben a tavaszi nyitott műhelynap ötleteit "
            "gyűjtöttük.",
            Visibility.COORDINATION,
            True,
        ),
        "methods": (
            "- kapcsolati háló rajzolása\n- ötletbörze „6-3-5” módszerrel\n- pontozásos szavazás",
            Visibility.COORDINATION,
            False,
        ),
        "raised": (
            "Több intézményben egyetlen ember visz mindent, így a partnerségek személyfüggők. "
            "Felmerült, hogyan lehetne az önkénteseket is bevonni a kapcsolattartásba.",
            Visibility.COORDINATION,
            True,
        ),
        "outcomes": (
            "Hat közös partnert találtunk, köztük két civil szervezetet. A nyitott műhelynap "
            "témája az *ünnepek kultúrája* lesz.",
            Visibility.GROUP,
            True,
        ),
        "reflection": (
            "Koordinátorként és mentorként is jelen voltam: ügyelnem kell, hogy a csoportban "
            "mentor maradjak, ne a program felelőse.",
            Visibility.PRIVATE,
            False,
        ),
        "next_steps": (
            "Felosztjuk a műhelynap szervezési feladatait; mindenki megkeres egy partnert.",
            Visibility.GROUP,
            True,
        ),
    },
}


def _mentor_of(group: Group):
    """Return the group's current mentor, or None."""
    membership = db.session.scalar(
        select(Membership).where(
            Membership.group_id == group.id,
            Membership.role == Role.MENTOR,
            Membership.left_on.is_(None),
        )
    )
    return membership.user if membership else None


def seed_demo_journals() -> None:
    """Write a journal for the earliest held workshop of three demo groups (once only).

    Group tata is left without one: its first workshop is where the browser tests start a
    journal of their own.
    """
    for slug, sections in JOURNALS.items():
        group = db.session.scalar(select(Group).where(Group.slug == slug))
        mentor = _mentor_of(group) if group else None
        if mentor is None:
            continue
        workshop = db.session.scalar(
            select(Workshop)
            .where(Workshop.group_id == group.id, Workshop.status == WorkshopStatus.HELD)
            .order_by(Workshop.date, Workshop.id)
            .limit(1)
        )
        if workshop is None:
            continue
        if db.session.scalar(select(Journal.id).where(Journal.workshop_id == workshop.id)):
            continue  # seeded before, or written by hand: leave it alone
        journal = start_journal(mentor, workshop)
        # Written the evening of the workshop, finalised the next morning.
        evening = datetime.combine(workshop.date, time(19, 30), UTC)
        journal.created_at = evening
        for section in journal.sections:
            text, visibility, in_report = sections[section.key]
            save_section(mentor, section, section.version, text, visibility, in_report)
            section.updated_at = evening
            for revision in section.revisions:
                revision.created_at = evening
        if slug == "kecskemet":
            continue  # this one stays a draft
        finalise(mentor, journal)
        journal.finalised_at = evening + timedelta(hours=14)
        if slug == "komlo-hegyhat":
            # An amendment after finalising, as it shows on the page.
            steps = next(s for s in journal.sections if s.key == "next_steps")
            save_section(
                mentor,
                steps,
                steps.version,
                steps.body + "\n\nKiegészítés: a leírásokat a közös mappába is feltöltjük.",
                steps.visibility,
                steps.in_report,
            )
    db.session.flush()
