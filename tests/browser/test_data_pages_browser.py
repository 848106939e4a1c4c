"""The data pages in Chromium: the exports, the own-data download, the privacy notice and the
anonymising preview pass axe-core at desktop and phone widths, and their downloads arrive as
files a spreadsheet program and an unzipper open."""

import io
import re
import zipfile

import openpyxl
import pytest

from tests.browser.harness import (
    COORDINATOR,
    TATA_PARTICIPANT,
    WIDTHS,
    axe_violations,
    describe_violations,
    login,
    open_page,
    screenshot,
)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_data_pages_have_no_serious_accessibility_violations(browser, base_url, width):
    """Exports, privacy notice (logged out and its editor), profile and anonymising preview."""
    page, console = open_page(browser, base_url, viewport=WIDTHS[width])
    found = {}
    try:
        page.goto("/privacy")
        found["privacy"] = axe_violations(page)
        login(page, COORDINATOR)
        page.goto("/people")
        href = page.get_by_role("link", name=re.compile("Nyári Dóra")).first.get_attribute("href")
        pages = {
            "exports": "/groups/tata/exports",
            "program-exports": "/program/exports",
            "privacy-edit": "/privacy/edit",
            "profile": "/profile",
            "anonymise": f"{href}/anonymise",
        }
        for name, path in pages.items():
            page.goto(path)
            found[name] = axe_violations(page)
            screenshot(page, f"{name}-coordinator", {width: WIDTHS[width]})
    finally:
        page.context.close()
    report = "\n".join(
        f"{name} ({width}):\n{describe_violations(v)}" for name, v in found.items() if v
    )
    assert not report, "axe-core found serious or critical violations:\n" + report
    assert console.errors == []


def test_exports_download_as_files(page):
    """The exports page's links download an .xlsx that openpyxl opens and a CSV with a BOM."""
    login(page, COORDINATOR)
    page.goto("/groups/tata/exports")
    row = page.locator("#export-attendance")
    with page.expect_download() as xlsx:
        row.get_by_role("link", name=re.compile("Excel")).click()
    assert xlsx.value.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.value.path().read_bytes()))
    sheet = book.worksheets[0]
    assert sheet["A1"].value == "Név" and sheet.max_row > 1
    with page.expect_download() as csv_file:
        row.get_by_role("link", name=re.compile("CSV")).click()
    data = csv_file.value.path().read_bytes()
    assert data.startswith(b"\xef\xbb\xbfN\xc3\xa9v;")


def test_own_data_downloads_as_a_zip(page):
    """A participant's profile button downloads a ZIP with the page and the JSON."""
    login(page, TATA_PARTICIPANT)
    page.goto("/profile")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Adataim letöltése")).click()
    with zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes())) as archive:
        assert sorted(archive.namelist()) == ["adataim.html", "adataim.json"]
        assert "Nyári Dóra" in archive.read("adataim.html").decode()
