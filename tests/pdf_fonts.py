"""The fonts a PDF's pages use, for tests that check nothing comes from the system."""

import pypdf


def font_names(reader: pypdf.PdfReader) -> set[str]:
    """Return the base names of every font the pages use (subset prefix removed)."""
    names = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names
