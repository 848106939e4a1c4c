"""User Markdown renders safely: no raw HTML, no images, only safe links."""

from html.parser import HTMLParser

import pytest

from journal.markdown import plain_excerpt, plain_text, render_markdown

SAFE_TAGS = {"div", "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre"}
SAFE_ATTRIBUTES = {"class", "hx-ignore", "href", "title", "rel", "start"}


class _Elements(HTMLParser):
    """Collect every start tag with its attributes."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        """Remember the tag."""
        self.found.append((tag, attrs))


def elements(html: str):
    """Return the (tag, attributes) pairs of an HTML text."""
    parser = _Elements()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        '<a href="#" onclick="alert(1)">x</a>',
        "<svg onload=alert(1)>",
        '<div hx-get="/logout" hx-trigger="load">x</div>',
        '<p data-hx-post="/x">y</p>',
        "![kép](http://127.0.0.1:9/x.png)",
        "<iframe src=//example.com>",
        "<style>@import url(//x)</style>",
    ],
)
def test_dangerous_input_is_neutralised(source):
    """No tag, attribute or URL from the input can act."""
    for tag, attrs in elements(str(render_markdown(source))):
        assert tag in SAFE_TAGS
        for name, value in attrs:
            assert name in SAFE_ATTRIBUTES, (tag, name)
            if name == "href":
                assert value.startswith(("http://", "https://", "mailto:")), value


def test_markdown_basics_and_safe_links():
    """Emphasis, lists and http(s) links work; links open nothing in our context."""
    html = str(
        render_markdown(
            "**Fontos** és *dőlt*\n\n- egy\n- kettő\n\n[Oldal](https://kozmuvelodes.hu)"
        )
    )
    assert "<strong>Fontos</strong>" in html and "<em>dőlt</em>" in html
    assert "<li>kettő</li>" in html
    assert (
        'href="https://kozmuvelodes.hu"' in html
        and 'rel="noopener noreferrer nofollow ugc"' in html
    )
    assert html.startswith('<div class="prose" hx-ignore>')


def test_a_pasted_web_address_becomes_a_link():
    """A bare https:// or http:// address is a link (with the same rel); other schemes, a
    bare domain and an e-mail address stay text."""
    html = str(
        render_markdown(
            "Itt van: https://pelda.hu/program?ev=2026 és http://regi.hu, de pelda.hu, "
            "javascript:alert(1) és kata@pelda.hu nem."
        )
    )
    assert (
        '<a href="https://pelda.hu/program?ev=2026" rel="noopener noreferrer nofollow ugc">'
        "https://pelda.hu/program?ev=2026</a>" in html
    )
    assert '<a href="http://regi.hu"' in html
    assert html.count("<a ") == 2


def test_a_linked_address_shows_as_typed():
    """A punycode host is not shown as look-alike Unicode letters, "//host" in prose is not a
    link, and percent escapes still read as letters."""
    html = str(render_markdown("Lásd https://xn--80ak6aa92e.com/belepes és //gonosz.pelda/x"))
    assert ">https://xn--80ak6aa92e.com/belepes</a>" in html
    assert "аррӏе" not in html
    assert 'href="//' not in html and html.count("<a ") == 1
    wiki = str(render_markdown("https://hu.wikipedia.org/wiki/%C3%81rv%C3%ADzt%C5%B1r%C5%91"))
    assert ">https://hu.wikipedia.org/wiki/Árvíztűrő</a>" in wiki
    assert 'href="https://hu.wikipedia.org/wiki/%C3%81rv%C3%ADzt%C5%B1r%C5%91"' in wiki


@pytest.mark.parametrize(
    "address",
    [
        "https://%D0%B0%D1%80%D1%80%D3%8F%D0%B5.com/belepes",  # Cyrillic letters, escaped
        "https://good.com%E2%81%84evil.com/",  # a fraction slash that looks like "/"
        "mailto:a@%D0%B0%D1%80.com",
    ],
)
def test_an_escaped_host_is_shown_escaped(address):
    """Percent escapes in the host (or an e-mail address) are not decoded into letters that
    could imitate another name: the autolink's text is the address as typed."""
    html = str(render_markdown(f"<{address}>"))
    assert f">{address}</a>" in html


def test_invisible_or_reordering_characters_stay_escaped_in_a_path():
    """A right-to-left override, a line break or a space in a path stays escaped in the text."""
    html = str(render_markdown("https://pelda.hu/a%E2%80%AEb%0Ac%20d/%C3%A9"))
    assert ">https://pelda.hu/a%E2%80%AEb%0Ac%20d/é</a>" in html


def test_an_address_typed_with_www_links_to_https_and_shows_as_typed():
    """ "www.pelda.hu/…" becomes an https:// link, shown as typed; "www.pelda" (no domain),
    "awww.pelda.hu" and an address in code stay text."""
    html = render_markdown("Lásd: www.kozmuvelodes.hu/modszerek?a=1. És (WWW.Pelda.hu)")
    links = [dict(attrs)["href"] for tag, attrs in elements(html) if tag == "a"]
    assert links == ["https://www.kozmuvelodes.hu/modszerek?a=1", "https://WWW.Pelda.hu"]
    assert ">www.kozmuvelodes.hu/modszerek?a=1</a>." in html
    for text in ("x www.pelda", "awww.pelda.hu", "`www.pelda.hu`"):
        assert "<a " not in render_markdown(text), text


def test_every_scheme_links_in_any_case_and_anywhere_in_a_long_text():
    """What linkify-it links is found whatever the case of its scheme, after 5,000 characters
    of text without one (journal/markdown.py looks for a scheme before linkify-it's pretest)."""
    long = "Egy hosszú bekezdés szövege, link nélkül. " * 120
    text = long + "HTTPS://pelda.hu/a Http://pelda.hu/b MAILTO:iroda@pelda.hu Www.pelda.hu/c"
    links = [dict(attrs)["href"] for tag, attrs in elements(render_markdown(text)) if tag == "a"]
    assert links == [
        "HTTPS://pelda.hu/a",
        "Http://pelda.hu/b",
        "MAILTO:iroda@pelda.hu",
        "https://Www.pelda.hu/c",
    ]
    assert "<a " not in render_markdown(long + "pelda.hu iroda@pelda.hu ftp://pelda.hu")


# --- Rendered once, when written -------------------------------------------------------------


def _board_note(world, body: str):
    """Add a note through the real operation."""
    from journal.models import NoteKind
    from journal.notes.operations import add_note

    return add_note(
        world["participant_a"],
        world["group_a"],
        kind=NoteKind.GOOD_PRACTICE,
        title="Jó gyakorlat",
        body=body,
        link="",
        workshop=None,
        mentor_only=False,
        hide_reactors=False,
    )


def test_a_text_is_rendered_when_written_and_pages_show_that(app, client, world, log_in):
    """Saving a section, a note and a reply stores their sanitized HTML with the pipeline's
    version; the pages show the stored HTML (a marker planted in it shows), not a new render."""
    from journal.extensions import db
    from journal.markdown import PIPELINE_VERSION
    from journal.notes.operations import add_reply
    from tests.factories import make_journal, make_workshop

    workshop = make_workshop(world["group_a"])
    journal = make_journal(workshop, world["mentor_a"], {"topic": "**Téma** <script>x</script>"})
    note = _board_note(world, "*Dőlt* szöveg")
    reply = add_reply(world["mentor_a"], note, "Válasz **félkövéren**")
    db.session.commit()
    section = next(s for s in journal.sections if s.key == "topic")
    assert "<strong>Téma</strong>" in section.body_html and "<script" not in section.body_html
    assert note.body_html == "<p><em>Dőlt</em> szöveg</p>\n"
    assert reply.body_html == "<p>Válasz <strong>félkövéren</strong></p>\n"
    assert {r.body_html_version for r in (section, note, reply)} == {PIPELINE_VERSION}
    for row, marker in ((section, "JELOLT-SZAKASZ"), (note, "JELOLT-JEGYZET"), (reply, "JELOLT-V")):
        row.body_html = f"<p>{marker}</p>"
    db.session.commit()
    log_in(world["mentor_a"])
    page = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    board = client.get(f"/groups/{world['group_a'].slug}/notes").get_data(as_text=True)
    assert "JELOLT-SZAKASZ" in page
    assert "JELOLT-JEGYZET" in board and "JELOLT-V" in board


def test_html_of_another_pipeline_version_is_rendered_again(app, client, world, log_in):
    """A row rendered by an older pipeline (or before texts kept their HTML) is rendered on
    reading, and stored anew by `flask init-db`, which changes nothing else."""
    from journal.extensions import db
    from journal.markdown import PIPELINE_VERSION

    note = _board_note(world, "**Friss** szöveg")
    db.session.commit()
    updated, version = note.updated_at, note.version
    note.body_html, note.body_html_version = "<p>ELAVULT</p>", PIPELINE_VERSION - 1
    db.session.commit()
    log_in(world["participant_a"])
    board = client.get(f"/groups/{world['group_a'].slug}/notes").get_data(as_text=True)
    assert "ELAVULT" not in board and "<strong>Friss</strong>" in board
    from journal.cli import render_stale_markdown  # what `flask init-db` runs after upgrading

    assert render_stale_markdown() == 1
    db.session.commit()
    db.session.expire_all()
    assert note.body_html == "<p><strong>Friss</strong> szöveg</p>\n"
    assert (note.body_html_version, note.updated_at, note.version) == (
        PIPELINE_VERSION,
        updated,
        version,
    )


def test_init_db_renders_every_kind_of_stored_body_again(app):
    """Every model that keeps a body's HTML (sections, notes, replies, report texts, methods,
    the privacy notice) is rendered again by what `flask init-db` runs, not only some."""
    from datetime import date

    from sqlalchemy import select, update

    from journal.cli import render_stale_markdown
    from journal.demo import seed_demo
    from journal.extensions import db
    from journal.markdown import PIPELINE_VERSION
    from journal.models import Method, PrivacyNotice, RenderedBody, ReportText

    seed_demo()
    day = date(2026, 1, 15)
    db.session.add(ReportText(scope="program", period_start=day, period_end=day, body="**B**"))
    db.session.add(PrivacyNotice(id=1, body="**Tájékoztató**"))
    db.session.commit()
    models = RenderedBody.__subclasses__()
    assert {Method, ReportText, PrivacyNotice} <= set(models)
    for model in models:
        db.session.execute(update(model).values(body_html="ELAVULT", body_html_version=0))
    db.session.commit()
    assert render_stale_markdown() >= len(models)
    db.session.commit()
    db.session.expire_all()
    for model in models:
        rows = db.session.scalars(select(model)).all()
        assert rows, model
        assert all(r.body_html_version == PIPELINE_VERSION for r in rows), model
        assert not any(r.body_html == "ELAVULT" for r in rows), model


def test_plain_text_keeps_the_items_of_a_list_apart():
    """A list read as plain text (a search result, an excerpt) keeps its items apart, so that
    "zsinór" and "színes gyöngyök" do not run together into one phrase."""
    html = render_markdown("- zsinór\n- **színes** gyöngyök\n\n1. egy\n2. kettő\n\nVége.")
    assert plain_text(html) == "zsinór · színes gyöngyök egy · kettő Vége."
    assert plain_excerpt("- első\n- második", 100) == "első · második"
