"""What tests read from a PDF: the text of its pages, and the fonts they use."""

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
