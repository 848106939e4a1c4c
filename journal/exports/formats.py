"""An export as CSV for Hungarian Excel, or as .xlsx.

CSV: UTF-8 with a byte order mark (without it Excel reads the file as ANSI and breaks every
accent), `;` between fields (Hungarian Excel's list separator: the comma is the decimal
sign), dates as "2025.11.14.", decimals with a comma. Several sheets follow one another, each
under its title, separated by an empty line.

.xlsx (openpyxl): a worksheet per sheet, a bold header row, frozen panes under it (and beside
the names), column widths, and real dates and numbers in their own formats.

Both write text that begins with `=`, `+`, `-`, `@` (or a tab or carriage return) as text,
never as a formula (CSV injection): in CSV behind an apostrophe, in .xlsx as a string cell.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from journal import without_controls
from journal.exports.tables import DATE, DECIMAL, INT, Export, Sheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters Excel refuses in a worksheet's name, and its length limit.
SHEET_NAME_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})
SHEET_NAME_LIMIT = 31


def as_text(value: str) -> str:
    """Return a CSV text cell that no spreadsheet reads as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _decimal(value: float) -> str:
    """Return a decimal number with a Hungarian decimal comma: 83,3 (83 for a whole one)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def csv_cell(value, kind: str) -> str:
    """Return one cell as Hungarian Excel reads it."""
    if value is None:
        return ""
    if kind == DATE and isinstance(value, date):
        return f"{value:%Y.%m.%d.}"
    if kind == INT:
        return str(int(value))
    if kind == DECIMAL:
        return _decimal(float(value))
    return as_text(str(value))


def to_csv(export: Export) -> bytes:
    """Return the export as CSV bytes for Hungarian Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    several = len(export.sheets) > 1
    for index, sheet in enumerate(export.sheets):
        if several:
            if index:
                writer.writerow([])
            writer.writerow([as_text(sheet.title)])
        writer.writerow([as_text(column.header) for column in sheet.columns])
        for row in sheet.rows:
            writer.writerow(
                [
                    csv_cell(value, column.kind)
                    for value, column in zip(row, sheet.columns, strict=True)
                ]
            )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def sheet_name(title: str, taken: set[str]) -> str:
    """Return a worksheet name Excel accepts (31 characters, no []:*?/\\), unique."""
    base = " ".join(title.translate(SHEET_NAME_FORBIDDEN).split())[:SHEET_NAME_LIMIT] or "Lap"
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        suffix = f" ({n})"
        name = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix
    taken.add(name.lower())
    return name


def _fill(worksheet, sheet: Sheet) -> None:
    """Write one sheet: header, typed cells, widths and frozen panes."""
    bold = Font(bold=True)
    for number, column in enumerate(sheet.columns, start=1):
        cell = worksheet.cell(row=1, column=number, value=column.header)
        cell.data_type = "s"  # a header is text, whatever it starts with
        cell.font = bold
        worksheet.column_dimensions[get_column_letter(number)].width = column.width
    for row_number, row in enumerate(sheet.rows, start=2):
        for number, (value, column) in enumerate(zip(row, sheet.columns, strict=True), start=1):
            if value is None:
                continue
            cell = worksheet.cell(row=row_number, column=number)
            if column.kind == DATE and isinstance(value, date):
                cell.value = value
                cell.number_format = "yyyy.mm.dd."
            elif column.kind == INT:
                cell.value = int(value)
                cell.number_format = "0"
            elif column.kind == DECIMAL:
                cell.value = float(value)
                cell.number_format = "0.0"
            else:
                # A control character stored before requests lost them would make openpyxl
                # refuse the whole sheet.
                cell.value = without_controls(str(value))
                # openpyxl takes a text beginning with "=" for a formula: this keeps it text.
                cell.data_type = "s"
    # The header stays in view, and in a sheet of people (name first) the names too.
    names_first = sheet.columns and sheet.columns[0].header == "Név"
    worksheet.freeze_panes = "B2" if names_first else "A2"
    if sheet.rows:
        last = get_column_letter(len(sheet.columns))
        worksheet.auto_filter.ref = f"A1:{last}{len(sheet.rows) + 1}"


def to_xlsx(export: Export) -> bytes:
    """Return the export as an .xlsx workbook."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for sheet in export.sheets:
        _fill(workbook.create_sheet(sheet_name(sheet.title, taken)), sheet)
    if not export.sheets:
        workbook.create_sheet("Üres")
    workbook.properties.title = export.title
    workbook.properties.creator = "Műhelynapló"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
