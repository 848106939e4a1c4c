"""The printed methods library: the compendium (the whole library, or one tag's methods) and a
method's one-page handout. Each renders a print template in Hungarian and returns a
`Document` for reports.documents.pdf_response; with `preview` the same template is the
in-browser preview."""

from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from journal.i18n import long_date, select_locale
from journal.methods import queries
from journal.models import Method, Program, local_today
from journal.reports.documents import Document, ascii_filename

# Over this many lines of text (a line counted as 80 characters) a handout is set small in
# two columns, to stay on one A4 page; a longer method still prints whole, on a second page:
# nothing is ever cut.
HANDOUT_LINES = 22
LINE_CHARS = 80


def _lines(method: Method) -> int:
    """Estimate how many lines the method's texts take on a handout."""
    texts = (method.aim, method.materials, method.body, method.variations, method.source)
    return sum(1 + len(line) // LINE_CHARS for text in texts for line in text.splitlines())


def _context(program: Program) -> dict:
    """Return what every printed page of the library needs."""
    return {
        "program": program,
        "program_name": program.name,
        "doc_author": program.association or program.name,
        "issued": long_date(local_today()),
    }


def compendium_document(
    program: Program, tag: str = "", preview: bool = False, unknown_tag: str = ""
) -> Document:
    """Build the compendium: a cover with the table of contents, then every method (of the
    tag, if one is given) from a right-hand page, with the held workshops that used it. A
    preview may say that `unknown_tag` has no methods (and show the whole library)."""
    every = queries.library()
    methods = queries.library(tag) if tag else every
    choice = {  # the screen-only form, in the user's language like the preview's toolbar
        "lang": select_locale(),
        "legend": _("Válogatás"),
        "tag": _("Címke"),
        "all": _("Az egész módszertár"),
        "show": _("Megjelenítés"),
        "unknown": _("Ezzel a címkével nincs módszer: %(tag)s", tag=unknown_tag),
    }
    with force_locale("hu"):
        title = f"{program.name} – Módszertár" + (f" – {tag}" if tag else "")
        html = render_template(
            "methods/compendium.html",
            title=title,
            doc_description=f"{program.name}: a program csoportos mentorálási módszerei",
            methods=methods,
            used=queries.held_uses(methods),
            tag=tag,
            unknown_tag=unknown_tag,
            tags=queries.all_tags(every),
            choice=choice,
            preview=preview,
            pdf_url=url_for("methods.compendium_pdf", tag=tag or None)
            if preview and not unknown_tag
            else None,
            back_url=url_for("methods.index") if preview else None,
            **_context(program),
        )
    filename = ascii_filename(program.name.split()[0], "modszertar", tag) + ".pdf"
    return Document(title=title, filename=filename, html=html)


def handout_document(program: Program, method: Method, preview: bool = False) -> Document:
    """Build a method's handout: the method on one A4 page, to print for a workshop."""
    with force_locale("hu"):
        html = render_template(
            "methods/handout.html",
            title=method.name,
            doc_description=f"{method.name} – módszerleírás",
            method=method,
            dense=_lines(method) > HANDOUT_LINES,
            preview=preview,
            pdf_url=url_for("methods.handout_pdf", method_id=method.id) if preview else None,
            back_url=url_for("methods.show", method_id=method.id) if preview else None,
            **_context(program),
        )
    return Document(title=method.name, filename=ascii_filename(method.name) + ".pdf", html=html)
