"""Safe Markdown for journals and notes: no raw HTML, no images, links only, sanitized."""

import mdurl
import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup


class _Markdown(MarkdownIt):
    """markdown-it that shows a linked address as it was typed."""

    def normalizeLinkText(self, link: str) -> str:
        """Decode percent escapes (a pasted Hungarian Wikipedia address reads "Árvíztűrő"), but
        never turn a punycode host into look-alike letters: xn--80ak6aa92e.com is not shown as
        "аррӏе.com" (Cyrillic), which reads as a well-known name."""
        return mdurl.decode(link, mdurl.DECODE_DEFAULT_CHARS + "%")


# CommonMark without raw HTML; images are switched off (links only, for now). A bare web
# address with its scheme (https://…) becomes a link, as people paste them; "pelda.hu" and
# "//pelda.hu" in running text do not.
_md = (
    _Markdown("commonmark", {"html": False, "linkify": True, "typographer": False})
    .disable("image")
    .enable("linkify")
)
_md.linkify.set({"fuzzy_link": False, "fuzzy_email": False}).add("//", None)

_ALLOWED_TAGS = {
    "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
_URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> Markup:
    """Render user Markdown to sanitized HTML, inside an element htmx ignores."""
    html = nh3.clean(
        _md.render(text or ""),
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow ugc",
        strip_comments=True,
    )
    # hx-ignore: any hx-* attribute that slipped through stays inert (none should survive nh3).
    return Markup('<div class="prose" hx-ignore>') + Markup(html) + Markup("</div>")
