"""The privacy notice: anyone reads it (linked from the login page and every footer), the
coordinator edits it with a version check, and it is Markdown made safe."""

import pytest
from sqlalchemy import select

from journal.extensions import db
from journal.journals.forms import BODY_MAX
from journal.models import PrivacyNotice, Program


def test_anyone_reads_the_default_notice(client, world):
    """Logged out, the notice is there before anyone wrote one, naming the association, and
    the login page links it."""
    program = db.session.scalar(select(Program))
    program.association = "Próba Közművelődési Egyesület"
    db.session.commit()
    page = client.get("/privacy").get_data(as_text=True)
    assert "Adatkezelési tájékoztató" in page
    assert "Próba Közművelődési Egyesület" in page
    assert "Adataim letöltése" in page and "<h2>Az Ön jogai</h2>" in page
    assert 'href="/privacy"' in client.get("/login").get_data(as_text=True)


def test_in_english_the_hungarian_notice_says_so_and_is_marked_hungarian(client, world):
    """The notice is written in Hungarian only: in English the page says so, and the text is
    marked lang="hu" (a screen reader reads it with a Hungarian voice)."""
    assert "csak magyarul" not in client.get("/privacy").get_data(as_text=True)
    client.post("/language", data={"language": "en", "next": "/privacy"})
    page = client.get("/privacy").get_data(as_text=True)
    assert '<html lang="en">' in page and "Privacy notice" in page
    assert "The notice is available in Hungarian only." in page
    notice = page[page.index('<div lang="hu">') :]
    assert "<h2>Az Ön jogai</h2>" in notice


def test_every_footer_links_the_notice(client, log_in, world):
    """A logged-in page's footer links the notice; a participant sees no editor link."""
    log_in(world["participant_a"])
    assert 'href="/privacy"' in client.get("/").get_data(as_text=True)
    assert "/privacy/edit" not in client.get("/privacy").get_data(as_text=True)
    assert client.get("/privacy/edit").status_code == 403
    assert client.post("/privacy/edit", data={"body": "x", "version": "0"}).status_code == 403


def test_the_coordinator_edits_it(client, log_in, world):
    """The editor starts from the default text; a save shows on the page, rendered and safe."""
    log_in(world["coordinator"])
    assert "/privacy/edit" in client.get("/privacy").get_data(as_text=True)
    editor = client.get("/privacy/edit").get_data(as_text=True)
    assert "## Az Ön jogai" in editor and 'name="version" type="hidden" value="0"' in editor
    body = "## Új tájékoztató\n\nAz **egyesület** kezeli.\n\n<script>alert(1)</script>"
    response = client.post("/privacy/edit", data={"body": body, "version": "0"})
    assert response.status_code == 303
    page = client.get("/privacy").get_data(as_text=True)
    assert "<h2>Új tájékoztató</h2>" in page and "<strong>egyesület</strong>" in page
    assert "<script>alert(1)</script>" not in page
    assert "Az Ön jogai" not in page
    response = client.post("/privacy/edit", data={"body": "Második", "version": "1"})
    assert response.status_code == 303
    assert db.session.get(PrivacyNotice, 1).version == 2


def test_a_save_from_an_old_version_keeps_both_texts(client, log_in, world):
    """Saving over a newer version answers 409 with the stored text and the typed one;
    saving again then is a deliberate overwrite."""
    log_in(world["coordinator"])
    client.post("/privacy/edit", data={"body": "ELSŐ-VÁLTOZAT", "version": "0"})
    client.post("/privacy/edit", data={"body": "MÁSIK-ESZKÖZRŐL", "version": "1"})
    response = client.post("/privacy/edit", data={"body": "RÉGIRŐL-ÍRT", "version": "1"})
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "MÁSIK-ESZKÖZRŐL" in text and "RÉGIRŐL-ÍRT" in text
    assert 'name="version" type="hidden" value="2"' in text
    assert db.session.get(PrivacyNotice, 1).body == "MÁSIK-ESZKÖZRŐL"
    response = client.post("/privacy/edit", data={"body": "RÉGIRŐL-ÍRT", "version": "2"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(PrivacyNotice, 1).body == "RÉGIRŐL-ÍRT"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"body": "x" * (BODY_MAX + 1), "version": "0"}, "Legfeljebb"),
        ({"body": "Szöveg", "version": "abc"}, "Hiányzó vagy hibás verzió"),
        # A digit to str.isdigit, not a number to int(): once a 500.
        ({"body": "Szöveg", "version": "²"}, "Hiányzó vagy hibás verzió"),
        ({"body": "Szöveg"}, "Hiányzó vagy hibás verzió"),
        # Blank, the page would show its readers no notice at all.
        ({"body": "  \n ", "version": "0"}, "A tájékoztató nem lehet üres."),
    ],
)
def test_bad_input_is_refused_with_the_text_kept(client, log_in, world, data, message):
    """Too long a text or a broken version: 422, a Hungarian message, the text kept."""
    log_in(world["coordinator"])
    response = client.post("/privacy/edit", data=data)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert message in text
    assert data["body"][:50] in text
    assert db.session.get(PrivacyNotice, 1) is None


def test_html_of_another_pipeline_version_is_rendered_again(client, log_in, world):
    """A notice stored by an older Markdown pipeline is rendered on reading and stored anew
    by `flask init-db`."""
    from journal.cli import render_stale_markdown
    from journal.markdown import PIPELINE_VERSION

    log_in(world["coordinator"])
    client.post("/privacy/edit", data={"body": "**Friss** tájékoztató", "version": "0"})
    notice = db.session.get(PrivacyNotice, 1)
    notice.body_html, notice.body_html_version = "<p>ELAVULT</p>", PIPELINE_VERSION - 1
    db.session.commit()
    page = client.get("/privacy").get_data(as_text=True)
    assert "ELAVULT" not in page and "<strong>Friss</strong>" in page
    assert render_stale_markdown() == 1
    db.session.commit()
    assert db.session.get(PrivacyNotice, 1).body_html_version == PIPELINE_VERSION
