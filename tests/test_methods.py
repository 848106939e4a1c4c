"""The methods library: everyone in the program reads it, mentors and the coordinator write it,
edits are checked against the version they started from and kept as revisions, and bad input
is answered in Hungarian with everything typed kept."""

from sqlalchemy import func, select

from journal.extensions import db
from journal.methods.operations import create_method
from journal.models import Method, MethodRevision
from tests.factories import make_user

FORM = {
    "name": "Galéria-séta",
    "aim": "A csoport munkáit körbejárva mindenki megnézi és kiegészíti a többiekét.",
    "group_size": "6–20 fő",
    "minutes": "40",
    "materials": "- csomagolópapír\n- filctollak",
    "body": "1. A kiscsoportok plakátot készítenek.\n2. **Körbejárás**: mindenki megjegyzést ír.",
    "variations": "Online: közös táblán.",
    "source": "Facilitátori gyakorlat",
    "tags": "reflexió,  közös munka , Reflexió,",  # a tag once, whatever its case
    "version": "0",
}


def _count(model) -> int:
    """Count rows of a model."""
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_mentor_adds_a_method_everyone_in_the_program_reads(client, world, log_in):
    """The new method is listed, its page shows every field (Markdown rendered), one revision."""
    log_in(world["mentor_a"])
    response = client.post("/methods/new", data=FORM)
    assert response.status_code == 303
    method = db.session.scalar(select(Method))
    assert response.location.endswith(f"/methods/{method.id}")
    assert method.tags == "reflexió, közös munka" and method.minutes == 40
    assert [r.version for r in method.revisions] == [1]
    client.post("/logout")
    log_in(world["participant_b"])  # another group's participant: the library is the program's
    page = client.get(f"/methods/{method.id}").get_data(as_text=True)
    assert "Galéria-séta" in page and "<strong>Körbejárás</strong>" in page
    assert "40 perc" in page and "6–20 fő" in page and "csomagolópapír" in page
    assert "Szerkesztés" not in page  # a participant reads, does not write
    listing = client.get("/methods").get_data(as_text=True)
    assert "Galéria-séta" in listing and "Új módszer" not in listing
    assert 'href="/methods"' in client.get("/").get_data(as_text=True)  # in the header


def test_someone_in_no_group_is_refused_the_library(client, world, log_in):
    """The library is the program's: a person with no group (a leaver) is refused it."""
    leaver = make_user(family_name="Volt", given_name="Valéria")
    db.session.commit()
    log_in(leaver)
    assert client.get("/methods").status_code == 403
    assert 'href="/methods"' not in client.get("/").get_data(as_text=True)


def test_bad_input_is_said_in_hungarian_and_kept(client, world, log_in):
    """A missing name, minutes that are not minutes and an over-long text: 422, every field
    kept, nothing stored."""
    log_in(world["coordinator"])
    long_steps = "lépés " * 20_000  # 120,000 characters: over the limit, never cut
    data = FORM | {"name": "  ", "minutes": "negyven", "body": long_steps}
    response = client.post("/methods/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Adja meg a módszer nevét." in page
    assert "Egész percet adjon meg 1 és 600 között." in page
    assert "Legfeljebb 100" in page and long_steps.strip() in page
    assert "negyven" in page and "csomagolópapír" in page and "maxlength" not in page
    for minutes in ("0", "601", "4.5", "٣"):
        response = client.post("/methods/new", data=FORM | {"minutes": minutes})
        assert response.status_code == 422, minutes
    assert _count(Method) == 0


def test_a_name_already_used_is_refused_with_a_link(client, world, log_in):
    """Two methods may not share a name, whatever its letter case and accents."""
    existing = create_method(world["coordinator"], _values("Világkávézó"))
    db.session.commit()
    log_in(world["mentor_a"])
    response = client.post("/methods/new", data=FORM | {"name": "VILÁGKÁVÉZÓ"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Ilyen nevű módszer már van" in page
    assert f'href="/methods/{existing.id}"' in page and "VILÁGKÁVÉZÓ" in page
    assert client.post("/methods/new", data=FORM | {"name": "vilagkavezo"}).status_code == 422
    # Hyphens and spaces aside too, as the matching page takes them for one method.
    for name in ("Világ-kávézó", "világ kávézó"):
        assert client.post("/methods/new", data=FORM | {"name": name}).status_code == 422, name
    assert _count(Method) == 1
    # Names without a word are told apart by what they are, not all taken for one.
    for name in ("🙂", "✨✨"):
        assert client.post("/methods/new", data=FORM | {"name": name}).status_code == 303, name
    assert client.post("/methods/new", data=FORM | {"name": " 🙂 "}).status_code == 422
    assert _count(Method) == 3


def _values(name: str, **kw) -> dict:
    """Return a method's stored fields."""
    values = {key: FORM[key] for key in ("aim", "group_size", "materials", "body", "variations",
                                         "source", "tags")}  # fmt: skip
    return values | {"name": name, "minutes": 30} | kw


def test_an_edit_is_versioned_and_a_stale_one_gets_both_texts(client, world, log_in):
    """A save raises the version and keeps a revision; a save from the old version answers
    409 with the user's text in the form and the saved one beside it, changing nothing."""
    method = create_method(world["coordinator"], _values("Forgószínpad"))
    db.session.commit()
    log_in(world["mentor_a"])
    form = client.get(f"/methods/{method.id}/edit").get_data(as_text=True)
    assert 'name="version" value="1"' in form and "Forgószínpad" in form
    url = f"/methods/{method.id}/edit"
    first = client.post(
        url, data=FORM | {"name": "Forgószínpad", "body": "Új lépések", "version": "1"}
    )
    assert first.status_code == 303
    db.session.expire_all()
    assert (method.version, method.body) == (2, "Új lépések")
    assert [r.version for r in method.revisions] == [2, 1]
    theirs = {"name": "Forgószínpad", "body": "Másik gép szövege", "version": "1"}
    stale = client.post(url, data=FORM | theirs)
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "Másik gép szövege" in page and "Új lépések" in page
    assert 'name="version" value="2"' in page  # saving the merged text may now replace it
    db.session.expire_all()
    assert method.body == "Új lépések" and _count(MethodRevision) == 2


def test_tags_filter_the_library(client, world, log_in):
    """A tag's link lists only the methods that carry it."""
    create_method(world["coordinator"], _values("Körkérdés", tags="nyitás"))
    create_method(world["coordinator"], _values("Esetmegbeszélés", tags="esetmunka, reflexió"))
    db.session.commit()
    log_in(world["participant_a"])
    page = client.get("/methods", query_string={"tag": "Reflexió"}).get_data(as_text=True)
    assert "Esetmegbeszélés" in page and "Körkérdés" not in page
    assert "Ezzel a címkével nincs módszer." in client.get("/methods?tag=zzz").get_data(
        as_text=True
    )


def test_mentors_say_they_used_it_too_and_everyone_sees_the_count(client, world, log_in):
    """A mentor's "Ezt én is használtam" counts once however often it is sent, and is
    withdrawn; the coordinator's counts too; a participant sees the count without a button,
    and is refused the toggle."""
    from journal.models import MethodUsedToo
    from tests.test_notes import relogin

    method = create_method(world["coordinator"], _values("Akvárium"))
    db.session.commit()
    url = f"/methods/{method.id}/used"
    log_in(world["mentor_a"])
    page = client.get(f"/methods/{method.id}").get_data(as_text=True)
    assert 'aria-pressed="false">Ezt én is használtam <span class="metoo-count">0</span>' in page
    for _twice in range(2):  # a double tap says it once
        fragment = client.post(url, data={"on": "1"}, headers={"HX-Request": "true"})
        text = fragment.get_data(as_text=True)
        assert text.lstrip().startswith('<div id="used-too"') and "<html" not in text
    assert 'aria-pressed="true">Ezt én is használtam <span class="metoo-count">1</span>' in text
    relogin(client, world["coordinator"])
    assert client.post(url, data={"on": "1"}).status_code == 303
    assert _count(MethodUsedToo) == 2
    assert client.post(url, data={"on": "0"}).status_code == 303
    assert client.post(url, data={"on": "igen"}).status_code == 400
    relogin(client, world["participant_b"])
    page = client.get(f"/methods/{method.id}").get_data(as_text=True)
    assert 'Használták a mentorok közül: <span class="metoo-count">1</span>' in page
    assert "Ezt én is használtam" not in page
    assert client.post(url, data={"on": "1"}).status_code == 403
    assert _count(MethodUsedToo) == 1


def test_near_twins_from_before_the_rule_stay_editable(client, world, log_in):
    """Two methods with the same letters saved before the rule (\"Világ-kávézó\" beside
    \"Világkávézó\") can each still be edited; a rename onto the other's very key is refused,
    in Hungarian, not a crash."""
    twin = create_method(world["coordinator"], _values("Világkávézó"))
    db.session.add(Method(**_values("Világ-kávézó"), name_key="vilag kavezo",
                          created_by_id=world["coordinator"].id))  # fmt: skip
    db.session.commit()
    log_in(world["mentor_a"])
    edit = FORM | {"name": "Világkávézó", "aim": "Új cél.", "version": str(twin.version)}
    assert client.post(f"/methods/{twin.id}/edit", data=edit).status_code == 303
    db.session.refresh(twin)
    onto = edit | {"name": "Világ kávézó", "version": str(twin.version)}
    response = client.post(f"/methods/{twin.id}/edit", data=onto)
    assert response.status_code == 422 and "Ilyen nevű módszer már van" in response.get_data(
        as_text=True
    )
