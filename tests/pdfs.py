"""What tests read from a PDF: the text of its pages, and the fonts they use."""

import html
import re
import subprocess

import pypdf


def pdf_pages(data: bytes) -> list[str]:
    """Return the text of each page of a PDF, as poppler's pdftotext reads it.

    pdftotext (poppler-utils, which .ci/test installs for pdftoppm) reads a page about ten
    times faster than pypdf's pure-Python extraction, which took a fifth of the PDF tests'
    time. It ends every page with a form feed.
    """
    command = ["pdftotext", "-enc", "UTF-8", "-", "-"]
    out = subprocess.run(command, input=data, capture_output=True, check=True).stdout
    return out.decode().split("\f")[:-1]


def pdf_text(data: bytes) -> str:
    """Return the text of every page of a PDF, one page after the other."""
    return "\n".join(pdf_pages(data))


def font_names(reader: pypdf.PdfReader) -> set[str]:
    """Return the base names of every font the pages use (subset prefix removed)."""
    names = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


Word = tuple[float, float, float, float, str]


def word_boxes(data: bytes) -> list[tuple[float, list[Word]]]:
    """Return each page's width and words, a word as (x_min, y_min, x_max, y_max, text) in
    points, as poppler's `pdftotext -bbox` places them."""
    command = ["pdftotext", "-bbox", "-enc", "UTF-8", "-", "-"]
    out = subprocess.run(command, input=data, capture_output=True, check=True).stdout.decode()
    pages = []
    for width, page in re.findall(r'<page width="([\d.]+)"[^>]*>(.*?)</page>', out, re.DOTALL):
        words = re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
            page,
        )
        pages.append(
            (float(width), [(*map(float, box), html.unescape(text)) for *box, text in words])
        )
    return pages


def overlapping_words(page: list[Word]) -> list[tuple[str, str]]:
    """Return the pairs of words of a page whose boxes overlap (text run into other text),
    allowing a quarter of a point for rounding."""
    slack = 0.25
    pairs = []
    for index, a in enumerate(page):
        for b in page[index + 1 :]:
            if (
                a[0] < b[2] - slack
                and b[0] < a[2] - slack
                and a[1] < b[3] - slack
                and b[1] < a[3] - slack
            ):
                pairs.append((a[4], b[4]))
    return pairs
