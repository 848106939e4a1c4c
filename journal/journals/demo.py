"""Demo journals: realistic entries for the first held workshops of the demo groups."""

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
            "- galériaséta öntapadós visszajelzésekkel",
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
    "tata": {
        "topic": (
            "Hogyan lesz a kötelező közösségi szolgálatból önkéntes elköteleződés? "
            "A fiatalok motivációit és a fogadó szervezet lehetőségeit vettük sorra.",
            Visibility.GROUP,
            True,
        ),
        "process": (
            "Rövid bemutatkozó kör után két fiatal önkéntes mesélt a tapasztalatairól, "
            "majd párokban gyűjtöttük, mi tartja meg és mi tántorítja el a fiatalokat.",
            Visibility.COORDINATION,
            False,
        ),
        "methods": (
            "- meghívott vendégek beszámolója\n- páros interjú\n- „megtart / eltántorít” tábla",
            Visibility.GROUP,
            True,
        ),
        "raised": (
            "Nehézség, hogy a diákok az 50 óra teljesítése után eltűnnek. Kérdés volt, hogyan "
            "adhatunk nekik valódi felelősséget úgy, hogy a szervezet is biztonságban érezze "
            "magát.",
            Visibility.COORDINATION,
            True,
        ),
        "outcomes": (
            "A fiatalokat a saját ötletük megvalósítása és a közösséghez tartozás élménye "
            "tartja meg leginkább. Megfogalmaztunk egy „első hónap” mentorálási vázlatot.",
            Visibility.GROUP,
            True,
        ),
        "reflection": (
            "A vendégek beszámolója jól működött, de kicsúsztunk az időből. Figyelnem kell, "
            "hogy a páros munkára elég idő maradjon.",
            Visibility.PRIVATE,
            False,
        ),
        "next_steps": (
            "Kipróbáljuk az „első hónap” vázlatot két fogadóhelyen; a tapasztalatokat a "
            "következő alkalmon osztjuk meg.",
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
            "Kapcsolati hálót rajzoltunk intézményenként, majd összevetettük, hol vannak "
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
    """Write a journal for the earliest held workshop of some demo groups (once only)."""
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
        for section in journal.sections:
            text, visibility, in_report = sections[section.key]
            save_section(mentor, section, section.version, text, visibility, in_report)
        if slug != "kecskemet":  # one journal stays a draft
            finalise(mentor, journal)
    db.session.flush()
