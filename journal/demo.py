"""The demo program: the real Kapcsolódások 2.0 groups and mentors, fictional participants."""

import unicodedata
from datetime import date

from sqlalchemy import select

from journal.auth.passwords import hash_password
from journal.extensions import db
from journal.models import Group, Membership, Program, Role, User

PROGRAM_NAME = "Kapcsolódások – Csoportos Mentorálás 2.0"
PROGRAM_START = date(2025, 11, 1)
PROGRAM_END = date(2026, 6, 30)
COORDINATOR = ("Józsa", "Kata")

# slug, name, region, mentor (family, given), goals, themes — from the program's own text.
GROUPS = [
    (
        "komlo-hegyhat",
        "Helyi érték – térségi kínálat",
        "Komló-Hegyháti térség",
        ("Schaff", "Anikó"),
        "A program célja, hogy a résztvevők saját településük közművelődési értékeit "
        "tudatosítva, szakmai tanulási folyamat keretében kiajánlható kulturális "
        "programcsomagokat dolgozzanak ki, amelyek térségi szinten egymáshoz kapcsolhatók. "
        "A mentorálás során a hangsúly a közművelődési szakmai gondolkodás fejlesztésén, a "
        "tapasztalatmegosztáson és a szakmán belüli együttműködés erősítésén van.",
        ["helyi értékek", "kulturális programcsomagok", "térségi együttműködés"],
    ),
    (
        "tata",
        "Ifjúsági közösségfejlesztés",
        "Tata",
        ("Szabó", "Csaba"),
        "Hogyan lehet az iskolai közösségi szolgálatos fiatalokból elkötelezett, aktív "
        "önkéntes közösséget formálni? A csoportos mentorálás a tatai Magyary Zoltán "
        "Népfőiskolai Társaság munkatársait és segítőit támogatja tudatos ifjúsági "
        "közösségfejlesztési munkájukban.",
        ["ifjúsági közösségfejlesztés", "iskolai közösségi szolgálat", "önkéntesség"],
    ),
    (
        "kecskemet",
        "Közkincs műhely (2.0)",
        "Kecskemét térsége",
        COORDINATOR,
        "Célunk a Közkincs műhely keretében megkezdett csoportos mentorálás (2.0) folytatása, "
        "azzal a szándékkal, hogy a mentorcsoportból szakmai műhelyt hozzunk létre, ahol a "
        "szakmai fejlődést, együttműködést közösen megvalósított – és a külső szakmai "
        "érdeklődők számára is nyitott – programokkal támogassuk.",
        [
            "partnerségi kapcsolatok",
            "önkéntesség a helyi közművelődésben",
            "ünnepek kultúrája",
            "digitális kompetenciák",
        ],
    ),
    (
        "sumeg",
        "Kulturális Híd",
        "Sümeg járás",
        ("Oszkai", "Réka"),
        "Célunk a „Tempe völgye – Kulturális híd, ami összeköt minket” (1.0) mentorprogram "
        "folytatása. A jelen program fókuszában a mentor-identitás erősítése, a módszertani "
        "tudás elmélyítése és egy járási szintű, egymást támogató, tanuló, kulturális "
        "mentorhálózat kialakítása áll.",
        ["mentor-identitás", "módszertani tudás", "járási mentorhálózat"],
    ),
    (
        "heves",
        "Metszéspont Műhely (2.0)",
        "Heves vármegye",
        ("Buzás", "Eszter"),
        "A program célja a vármegyei szakemberek közötti szakmai hálózat megerősítése és az "
        "együttműködések gazdagítása. Fókuszában az önismeret elmélyítése és a reflektív "
        "szakmai működés áll, amely a saját tapasztalatok feldolgozásán keresztül erősítheti "
        "a szakmai identitást.",
        ["szakmai hálózat", "önismeret", "reflektív szakmai működés"],
    ),
]

# Fictional participants: (family, given, institution, settlement), per group slug.
PARTICIPANTS = {
    "komlo-hegyhat": [
        ("Csizmadia", "Márta", "Közösségek Háza", "Komló"),
        ("Gyenes", "Balázs", "IKSZT Közösségi Tér", "Magyarszék"),
        ("Őri", "Judit", "Faluház és Könyvtár", "Mánfa"),
        ("Kovács", "Zsófia", "Művelődési Ház", "Sásd"),
        ("Szalai", "Gergely", "Kulturális Központ", "Hosszúhetény"),
        ("Zsigmond", "Ildikó", "Közösségi Színtér", "Mecsekpölöske"),
        ("Cseh", "Tamás", "Bányász Művelődési Ház", "Szászvár"),
    ],
    "tata": [
        ("Nyári", "Dóra", "Magyary Zoltán Népfőiskolai Társaság", "Tata"),
        ("Lengyel", "Ádám", "Magyary Zoltán Népfőiskolai Társaság", "Tata"),
        ("Ürge", "Petra", "Magyary Zoltán Népfőiskolai Társaság", "Naszály"),
        ("Dózsa", "Bence", "Közösségi Ház", "Baj"),
        ("Szekeres", "Laura", "Magyary Zoltán Népfőiskolai Társaság", "Tata"),
        ("Gál", "Noémi", "Művelődési Ház", "Vértesszőlős"),
    ],
    "kecskemet": [
        ("Tyukodi", "Erika", "Művelődési Ház", "Lajosmizse"),
        ("Bárány", "Levente", "Közösségi Ház", "Kerekegyháza"),
        ("Ács", "Viktória", "Hetényegyházi Közösségi Ház", "Kecskemét"),
        ("Molnár", "Hajnalka", "Faluház", "Ballószög"),
        ("Illés", "Krisztián", "Művelődési Ház és Könyvtár", "Helvécia"),
        ("Zsámboki", "Anna", "Arany János Kulturális Központ", "Nagykőrös"),
        ("Sárközi", "Enikő", "Városi Művelődési Központ", "Tiszakécske"),
        ("Csonka", "Péter", "Közösségi Színtér", "Városföld"),
    ],
    "sumeg": [
        ("Takács", "Orsolya", "Kisfaludy Sándor Művelődési Központ", "Sümeg"),
        ("Ódor", "Kristóf", "Faluház", "Sümegprága"),
        ("Baranyai", "Edit", "Közösségi Színtér", "Bazsi"),
        ("Varga", "Szilvia", "IKSZT", "Ukk"),
        ("Gyöngyösi", "Mónika", "Művelődési Ház", "Csabrendek"),
        ("Szűcs", "Attila", "Közösségi Ház", "Nyirád"),
        ("Horváth", "Eszter", "Faluház és Könyvtár", "Zalagalsa"),
    ],
    "heves": [
        ("Kiss", "Boglárka", "Bródy Sándor Könyvtár", "Eger"),
        ("Kis", "Gábor", "Városi Művelődési Központ", "Heves"),
        ("Üveges", "Nóra", "Füzesabonyi Művelődési Ház", "Füzesabony"),
        ("Mészáros", "Dániel", "Mátra Művelődési Központ", "Gyöngyös"),
        ("Fekete", "Zsuzsanna", "Grassalkovich Művelődési Ház", "Hatvan"),
        ("Dzsupin", "Rita", "Tisza-tavi Közösségi Ház", "Poroszló"),
        ("Ördögh", "Lilla", "Közösségi Ház", "Recsk"),
        ("Pásztor", "Máté", "Művelődési Ház", "Pétervására"),
    ],
}

MENTOR_INSTITUTION = "Kapcsolódások program"


def demo_email(family: str, given: str) -> str:
    """Return the demo login of a person: family.given@example.org without accents."""
    plain = unicodedata.normalize("NFKD", f"{family}.{given}".lower())
    return "".join(c for c in plain if not unicodedata.combining(c)) + "@example.org"


def _user(family: str, given: str, password_hash: str, coordinator: bool = False) -> User:
    """Create or update one demo person."""
    email = demo_email(family, given)
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, family_name=family, given_name=given)
        db.session.add(user)
    user.password_hash = password_hash
    user.active = True
    user.is_coordinator = coordinator
    return user


def _member(user: User, group: Group, role: Role, institution: str, settlement: str) -> None:
    """Create or update one demo membership."""
    db.session.flush()
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.group_id == group.id)
    )
    if membership is None:
        membership = Membership(user=user, group=group, joined_on=PROGRAM_START)
        db.session.add(membership)
    membership.role = role
    membership.institution = institution
    membership.settlement = settlement
    membership.left_on = None


def seed_demo(password: str = "muhelynaplo") -> None:
    """Load the demo program; running it again updates the same rows instead of copying."""
    # One hash for every demo account: they share the demo password and the seed stays quick.
    password_hash = hash_password(password)
    program = db.session.scalar(select(Program).where(Program.name == PROGRAM_NAME))
    if program is None:
        program = Program(name=PROGRAM_NAME, period_start=PROGRAM_START, period_end=PROGRAM_END)
        db.session.add(program)
    coordinator = _user(*COORDINATOR, password_hash, coordinator=True)
    for slug, name, region, mentor_name, goals, themes in GROUPS:
        group = db.session.scalar(select(Group).where(Group.slug == slug))
        if group is None:
            group = Group(slug=slug, program=program)
            db.session.add(group)
        group.name, group.region, group.goals = name, region, goals
        group.themes = "\n".join(themes)
        mentor = coordinator if mentor_name == COORDINATOR else _user(*mentor_name, password_hash)
        _member(mentor, group, Role.MENTOR, MENTOR_INSTITUTION, region)
        for family, given, institution, settlement in PARTICIPANTS[slug]:
            participant = _user(family, given, password_hash)
            _member(participant, group, Role.PARTICIPANT, institution, settlement)
    db.session.flush()
    _seed_demo_workshops()
    _seed_demo_journals()
    _seed_demo_notes()


def _seed_demo_workshops() -> None:
    """Add the demo workshops with attendance (kept in the workshops feature)."""
    from journal.workshops.demo import seed_demo_workshops

    seed_demo_workshops()


def _seed_demo_journals() -> None:
    """Add the demo journals of held workshops (kept in the journals feature)."""
    from journal.journals.demo import seed_demo_journals

    seed_demo_journals()


def _seed_demo_notes() -> None:
    """Add the demo shared notes (kept in the notes feature)."""
    from journal.notes.demo import seed_demo_notes

    seed_demo_notes()
