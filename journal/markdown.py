"""Safe Markdown for journals and notes: no raw HTML, no images, links only, sanitized."""

import html
import re
import unicodedata
from urllib.parse import quote

import mdurl
import nh3
from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from markupsafe import Markup

_WEB_ADDRESS = re.compile(r"(?P<start>https?://[^/?#\\]*)(?P<rest>.*)", re.IGNORECASE | re.DOTALL)


def _readable(part: str) -> str:
    """Decode the percent escapes of a path, query or fragment into letters, but keep escaped
    what cannot be seen or reorders text (controls, bidi marks, spaces)."""
    decoded = mdurl.decode(part, mdurl.DECODE_DEFAULT_CHARS + "%")
    return "".join(quote(c, safe="") if unicodedata.category(c)[0] in "CZ" else c for c in decoded)


class _Markdown(MarkdownIt):
    """markdown-it that shows a linked address as it was typed."""

    def normalizeLinkText(self, link: str) -> str:
        """Show the address's scheme, user part and host exactly as typed: never as letters
        decoded from punycode or percent escapes, which can imitate a well-known name
        (xn--80ak6aa92e.com or %D0%B0%D1%80… as "аррӏе.com"). Only what follows the host (as a
        browser splits it: at the first / ? # or \\) is decoded, so a pasted Hungarian
        Wikipedia address still reads "Árvíztűrő". Other schemes (mailto:) stay as typed."""
        match = _WEB_ADDRESS.match(link)
        return match.group("start") + _readable(match.group("rest")) if match else link


class _Linkify(LinkifyIt):
    """linkify-it that first looks for a scheme it links ("http:", "https:", "mailto:",
    "www."): its own pretest tries a long pattern at every position (6 ms for a 5,000-character
    section), and without fuzzy links and e-mails no text lacking a scheme holds a link."""

    def pretest(self, text: str) -> bool:
        """Tell whether a link may be in the text."""
        schemes = "|".join(re.escape(name) for name in self._compiled if name)
        return bool(re.search(schemes, text, re.IGNORECASE)) and super().pretest(text)


# CommonMark without raw HTML; images are switched off (links only, for now). A bare web
# address with its scheme (https://…) becomes a link, as people paste them, and so does one
# that starts with "www." (as people type them; it links to https://, shown as typed);
# "pelda.hu" and "//pelda.hu" in running text do not.
_md = (
    _Markdown("commonmark", {"html": False, "linkify": True, "typographer": False})
    .disable("image")
    .enable("linkify")
)
_md.linkify = _Linkify()
_md.linkify.set({"fuzzy_link": False, "fuzzy_email": False}).add("//", None).add("ftp:", None)


def _https(linkify, match) -> None:
    """Link an address typed as "www.…" to https://."""
    match.url = "https://" + match.url


_md.linkify.add(
    "www.",
    {
        # The rest of a host with at least one more dot (www.pelda.hu, not "www.pelda"), a
        # port and a path, as linkify-it reads them after "http://".
        "validate": re.compile(
            r"(?=[^\s/?#:]*\.[^\s/?#:.])"
            + _md.linkify.re["src_host_port_strict"]
            + _md.linkify.re["src_path"],
            re.IGNORECASE,
        ),
        "normalize": _https,
    },
)

_ALLOWED_TAGS = {
    "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
_URL_SCHEMES = {"http", "https", "mailto"}


# Raise when anything above or below changes what a text renders to: stored HTML of another
# version is rendered afresh on reading, and again for good by `flask init-db`.
PIPELINE_VERSION = 1


def _sanitized(text: str) -> str:
    """Render user Markdown to sanitized HTML (the inside of the prose element)."""
    return nh3.clean(
        _md.render(text or ""),
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow ugc",
        strip_comments=True,
    )


def _prose(html: str) -> Markup:
    """Wrap sanitized HTML in the element htmx ignores."""
    # hx-ignore: any hx-* attribute that slipped through stays inert (none should survive nh3).
    return Markup('<div class="prose" hx-ignore>') + Markup(html) + Markup("</div>")


def render_markdown(text: str) -> Markup:
    """Render user Markdown to sanitized HTML, inside an element htmx ignores."""
    return _prose(_sanitized(text))


def stored(body: str) -> dict:
    """Return the columns to write beside a body: its HTML and the pipeline's version."""
    return {"body_html": _sanitized(body), "body_html_version": PIPELINE_VERSION}


def rendered_html(row) -> str:
    """Return a row's body as sanitized HTML: what was stored when it was written, unless it
    was rendered by another version of the pipeline (or never)."""
    if row.body_html is not None and row.body_html_version == PIPELINE_VERSION:
        return row.body_html
    return _sanitized(row.body)


def rendered(row) -> Markup:
    """Return a row's body as HTML, inside the element htmx ignores."""
    return _prose(rendered_html(row))


# The end of a list item that another follows: its items stay apart in plain text.
_NEXT_ITEM = re.compile(r"</li>\s*(?=<li[\s>])")


def plain_text(rendered_html_: str) -> str:
    """Return rendered HTML as the plain text a reader sees, its spaces collapsed, the items
    of a list apart ("zsinór · gyöngyök", not "zsinór gyöngyök")."""
    text = nh3.clean(_NEXT_ITEM.sub("</li> · ", rendered_html_), tags=set())
    return " ".join(html.unescape(text).split())


def plain_excerpt(text: str, limit: int) -> str:
    """Return the beginning of user Markdown as plain text, at most `limit` characters, cut
    between words and marked with "…" when anything was left out."""
    plain = plain_text(_md.render(text or ""))
    if len(plain) <= limit:
        return plain
    cut = plain.rfind(" ", 0, limit + 1)
    return plain[: cut if cut > limit // 2 else limit].rstrip(" ,;:.") + "…"
