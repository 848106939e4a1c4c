"""The printed methods library: the coordinator's compendium (cover, table of contents with
page numbers, each method from a right-hand page with the held workshops that used it) and a
method's one-page A4 handout for mentors."""

import io
import re

import pypdf
import pytest
from sqlalchemy import select

from journal.extensions import db
from journal.methods.operations import create_method
from journal.models import Method, User, Workshop, WorkshopMethod, WorkshopStatus
from tests.apps import login
from tests.pdfs import pdf_pages

A4 = (595.28, 841.89)  # points


@pytest.fixture
def demo(app, tmp_path):
    """The seeded demo, its PDFs cached in the test's own folder."""
    from journal.demo import seed_demo

    app.config["REPORT_CACHE_DIR"] = str(tmp_path / "pdf-cache")
    seed_demo()
    db.session.commit()


def _person(email: str) -> User:
    """Return a demo person."""
    return db.session.scalar(select(User).where(User.email == email))


def _pages(data: bytes) -> list[str]:
    """Return the text of each page of a PDF, its whitespace made single spaces."""
    return [" ".join(page.split()) for page in pdf_pages(data)]


def test_the_compendium_of_the_demo_library(client, demo):
    """Every method of the demo library is in the table of contents with the page it starts
    on, a right-hand (odd) page whose heading it is, and that page lists the held workshops
    that used it (group, topic), never a planned one."""
    login(client, _person("jozsa.kata@example.org"), password="muhelynaplo")
    response = client.get("/methods/compendium.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = _pages(response.data)
    cover = pages[0]
    assert "Módszertár" in cover and "Kapcsolódások – Csoportos Mentorálás 2.0" in cover
    assert "Tartalom" in cover and "Kiállítás dátuma" in cover
    methods = db.session.scalars(select(Method)).all()
    assert len(methods) == 15
    for method in methods:
        found = re.search(re.escape(method.name) + r"[ .]*?(\d+)(?!\d)", cover)
        assert found, f"{method.name} is not in the table of contents"
        start = int(found.group(1))
        assert start % 2 == 1, f"{method.name} starts on a left-hand page ({start})"
        assert pages[start - 1].split(" oldal")[0].count(method.name) >= 1
        assert f"{start}. oldal / {len(pages)}" in pages[start - 1]
    cafe = next(m for m in methods if m.name == "Világkávézó")
    steps = db.session.scalars(
        select(WorkshopMethod).where(WorkshopMethod.method_id == cafe.id)
    ).all()
    held = [s.workshop for s in steps if s.workshop.status == WorkshopStatus.HELD]
    planned = [s.workshop for s in steps if s.workshop.status == WorkshopStatus.PLANNED]
    start = int(re.search(r"Világkávézó[ .]*?(\d+)", cover).group(1))
    text = pages[start - 1]
    assert held and all(w.topic in text and w.group.name in text for w in held)
    assert all(w.topic not in text for w in planned)


def test_a_compendium_of_one_tag_and_a_tag_no_method_has(client, demo):
    """A tag's compendium holds its methods only; a tag no method has answers the preview of
    the whole library saying so (422), with the tags to choose from."""
    login(client, _person("jozsa.kata@example.org"), password="muhelynaplo")
    pages = _pages(client.get("/methods/compendium.pdf?tag=esetmunka").data)
    assert "Esetmegbeszélés" in pages[0] and "Bálint-csoport" in pages[0]
    assert "Világkávézó" not in " ".join(pages)
    preview = client.get("/methods/compendium?tag=esetmunka").get_data(as_text=True)
    assert 'href="/methods/compendium.pdf?tag=esetmunka"' in preview
    assert "<option selected>esetmunka</option>" in preview
    response = client.get("/methods/compendium.pdf?tag=nincs-ilyen")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Ezzel a címkével nincs módszer: nincs-ilyen" in page
    assert "Világkávézó" in page and "compendium.pdf" not in page


def test_a_handout_is_one_a4_page(client, demo):
    """Every demo method's handout, and a long method's (set small in two columns), is one A4
    page with the method's name and steps; a mentor prints them, a participant may not."""
    step = "A lépés leírása, hosszabb mondattal. " * 3
    long_steps = "\n".join(f"{n}. {step}" for n in range(16))
    coordinator = _person("jozsa.kata@example.org")
    values = {"aim": "Hosszú leírás.", "group_size": "5–12 fő", "minutes": 30,
              "materials": "- papír", "body": long_steps, "variations": "Változat " * 20,
              "source": "Forrás", "tags": "próba"}  # fmt: skip
    create_method(coordinator, values | {"name": "Hosszú módszer"})
    db.session.commit()
    login(client, _person("szabo.csaba@example.org"), password="muhelynaplo")
    for method in db.session.scalars(select(Method)).all():
        response = client.get(f"/methods/{method.id}/handout.pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        reader = pypdf.PdfReader(io.BytesIO(response.data))
        assert len(reader.pages) == 1, method.name
        box = reader.pages[0].mediabox
        assert (round(float(box.width), 2), round(float(box.height), 2)) == A4
        text = " ".join(reader.pages[0].extract_text().split())
        assert method.name in text and ("Lépések" in text) == bool(method.body)
    preview = client.get(f"/methods/{method.id}/handout").get_data(as_text=True)
    assert f'href="/methods/{method.id}/handout.pdf"' in preview
    page = client.get(f"/methods/{method.id}").get_data(as_text=True)
    assert f'href="/methods/{method.id}/handout"' in page
    client.post("/logout")
    login(client, _person("nyari.dora@example.org"), password="muhelynaplo")
    assert client.get(f"/methods/{method.id}/handout.pdf").status_code == 403
    assert client.get("/methods/compendium.pdf").status_code == 403
    assert f'href="/methods/{method.id}/handout"' not in client.get(
        f"/methods/{method.id}"
    ).get_data(as_text=True)


def test_the_compendium_prints_no_journal_text(client, demo):
    """What the journals said about a method is on its page for those who may read it, never
    in the compendium: its print says where it was used, not what was written."""
    from journal.models import Journal, JournalSection

    section = db.session.scalar(
        select(JournalSection)
        .join(Journal)
        .join(Workshop)
        .join(WorkshopMethod, WorkshopMethod.workshop_id == Workshop.id)
        .where(JournalSection.key == "methods", JournalSection.body != "")
    )
    assert section is not None
    login(client, _person("jozsa.kata@example.org"), password="muhelynaplo")
    text = " ".join(_pages(client.get("/methods/compendium.pdf").data))
    words = " ".join(section.body.split()[:6])
    assert words not in text
