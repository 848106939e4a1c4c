"""Spreadsheet exports: CSV that Hungarian Excel opens (BOM, `;`, Hungarian dates, decimal
commas), .xlsx with real dates and numbers, the same rows in both, formulas never, only what
the exporting user may see, and a Hungarian message for bad input."""

import csv
import io
from datetime import date, datetime, time

import openpyxl
import pytest

from journal.extensions import db
from journal.journals.operations import finalise
from journal.models import Attendance, AttendanceStatus, WorkshopStatus
from tests.factories import make_journal, make_membership, make_user, make_workshop

FORMULAS = ('=HYPERLINK("http://x")', "+36 1 234", "-2+3", "@SUM(A1)")


@pytest.fixture
def data(world):
    """Group alfa with three held workshops in 2025–26 (one with a final journal, one with a
    draft, one without), a cancelled and a planned one, and an attendance record; a
    participant whose name and institution begin with formula characters; group beta with
    its own workshop."""
    group, mentor = world["group_a"], world["mentor_a"]
    tricky = make_user(family_name=FORMULAS[0], given_name="Őrs")
    make_membership(tricky, group, institution=FORMULAS[1], settlement=FORMULAS[3])
    first = make_workshop(
        group,
        date=date(2025, 11, 14),
        topic="Közösségi terek",
        place="Győr, Ifjúsági ház",
        methods="Világkávézó\nForgószínpad",
        start_time=time(10, 0),
        end_time=time(12, 30),
    )
    second = make_workshop(group, date=date(2025, 12, 12), topic="=1+1 téma", place="Tata")
    third = make_workshop(group, date=date(2026, 1, 16), topic="Önreflexió")
    make_workshop(
        group,
        date=date(2026, 2, 13),
        topic="Elmaradt",
        status=WorkshopStatus.CANCELLED,
        cancel_reason="Betegség",
        start_time=time(10, 0),
        end_time=time(13, 0),
    )
    make_workshop(group, date=date(2026, 6, 12), topic="Tervezett", status=WorkshopStatus.PLANNED)
    make_workshop(world["group_b"], date=date(2025, 11, 20), topic="Béta alkalom")
    finalise(mentor, make_journal(first, mentor, {"topic": "Titkos napló szöveg"}))
    make_journal(second, mentor)
    marks = {
        first: {"participant_a": "present", "participant_a2": "absent", "tricky": "late"},
        second: {"participant_a": "present", "participant_a2": "excused", "tricky": "absent"},
        third: {"participant_a": "absent", "participant_a2": "present", "tricky": "present"},
    }
    people = {"participant_a": world["participant_a"], "participant_a2": world["participant_a2"]}
    people["tricky"] = tricky
    for workshop, row in marks.items():
        for key, status in row.items():
            db.session.add(
                Attendance(
                    workshop_id=workshop.id,
                    user_id=people[key].id,
                    status=AttendanceStatus(status),
                )
            )
    db.session.commit()
    return world | {"tricky": tricky}


def _download(client, url: str, **args):
    """Download an export and return the response."""
    response = client.get(url, query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def _csv(data: bytes) -> list[list[str]]:
    """Read CSV bytes as Hungarian Excel writes them back: UTF-8 with BOM, `;`."""
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def _xlsx(data: bytes) -> openpyxl.Workbook:
    """Open an .xlsx download."""
    return openpyxl.load_workbook(io.BytesIO(data))


GROUP = "/groups/alfa/exports/download"
PERIOD = {"from": "2025-11", "to": "2026-03"}


def test_csv_is_for_hungarian_excel(client, log_in, data):
    """BOM, `;`, every accent intact, Hungarian dates and decimal commas."""
    log_in(data["mentor_a"])
    response = _download(client, GROUP, table="participation", format="csv", **PERIOD)
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert (
        'filename="kapcsolodasok_alfa_reszvetel_2025-11-01_2026-03-31.csv"'
        in (response.headers["Content-Disposition"])
    )
    rows = _csv(response.data)
    header = rows[0]
    assert header[:4] == ["Csoport", "Név", "Intézmény", "Település"]
    assert "Részvételi arány (%)" in header
    by_name = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    aranka = by_name["Résztvevő Aranka"]
    assert aranka["Csoport"] == "Alfa csoport"
    assert aranka["Intézmény"] == "Alfa-ház" and aranka["Település"] == "Alfafalva"
    assert aranka["Csatlakozott"] == "2024.09.01."
    assert aranka["Jelen"] == "2" and aranka["Hiányzott"] == "1"
    assert aranka["Rögzített alkalom"] == "3"
    assert aranka["Részvételi arány (%)"] == "66,7"
    assert aranka["Legalább 60 %"] == "igen"
    assert by_name["Társ Ágota"]["Részvételi arány (%)"] == "33,3"
    assert "Résztvevő Borbála" not in by_name  # the other group's


def test_a_control_character_stored_earlier_does_not_break_the_xlsx(client, log_in, data):
    """A name stored with a control character (before requests dropped them) is written
    without it: openpyxl refuses such a cell, and the whole download answered 500."""
    user = data["participant_a"]
    user.family_name = "Résztvevő\x01\x0b"
    db.session.commit()
    log_in(data["coordinator"])
    response = _download(client, GROUP, table="attendance", format="xlsx", **PERIOD)
    assert response.status_code == 200
    cells = {
        cell
        for row in _xlsx(response.data).worksheets[0].iter_rows(values_only=True)
        for cell in row
    }
    assert "Résztvevő\n Aranka" in cells


def test_xlsx_holds_the_same_rows_with_real_dates_and_numbers(client, log_in, data):
    """The .xlsx opens with openpyxl and holds the CSV's rows, dates as dates, numbers as
    numbers, with a bold header, frozen panes and column widths."""
    log_in(data["coordinator"])
    for table in ("attendance", "workshops", "participation"):
        csv_rows = _csv(_download(client, GROUP, table=table, format="csv", **PERIOD).data)
        response = _download(client, GROUP, table=table, format="xlsx", **PERIOD)
        assert response.mimetype.endswith("spreadsheetml.sheet")
        sheet = _xlsx(response.data).worksheets[0]
        assert sheet.freeze_panes in ("A2", "B2")
        assert sheet["A1"].font.b
        assert sheet.column_dimensions["A"].width >= 12
        xlsx_rows = [
            ["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)
        ]
        assert len(xlsx_rows) == len(csv_rows), table
        assert xlsx_rows[0] == csv_rows[0]
        for xlsx_row, csv_row in zip(xlsx_rows[1:], csv_rows[1:], strict=True):
            assert [_as_csv(v) for v in xlsx_row] == [c.removeprefix("'") for c in csv_row]

    workshops = _xlsx(_download(client, GROUP, table="workshops", format="xlsx", **PERIOD).data)
    sheet = workshops.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    first = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert first["Dátum"] == datetime(2025, 11, 14)
    assert sheet.cell(row=2, column=header.index("Dátum") + 1).number_format == "yyyy.mm.dd."
    assert first["Módszerek"] == "Világkávézó; Forgószínpad"
    assert first["Napló"] == "véglegesített"
    assert first["Jelen (fő)"] == 2 and isinstance(first["Jelen (fő)"], int)
    assert first["Időtartam (óra)"] == 2.5
    assert first["Helyszín"] == "Győr, Ifjúsági ház"
    states = [row[header.index("Napló")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    statuses = [
        row[header.index("Állapot")] for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert states[:3] == ["véglegesített", "piszkozat", "nincs"]
    assert statuses == ["megtartva", "megtartva", "megtartva", "elmaradt"]  # June is outside
    # Hours are of workshops held, as in the summaries: the cancelled one keeps its times only.
    cancelled = dict(zip(header, [cell.value for cell in sheet[5]], strict=True))
    assert (cancelled["Kezdés"], cancelled["Időtartam (óra)"]) == ("10:00", None)
    text = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row)
    assert "Titkos napló szöveg" not in text  # a journal's state, never its text
    assert "Béta alkalom" not in text


def _as_csv(value) -> str:
    """Write an .xlsx value as the CSV writes it, to compare the two."""
    if isinstance(value, datetime):
        return f"{value:%Y.%m.%d.}"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(value)


def test_attendance_is_a_matrix_with_rates(client, log_in, data):
    """Attendance: a row per participant, a column per held workshop of the period, rates."""
    log_in(data["mentor_a"])
    rows = _csv(_download(client, GROUP, table="attendance", format="csv", **PERIOD).data)
    assert rows[0][:6] == [
        "Név",
        "Intézmény",
        "Település",
        "2025.11.14.",
        "2025.12.12.",
        "2026.01.16.",
    ]
    assert rows[0][6:] == ["Jelen (alkalom)", "Rögzített (alkalom)", "Részvételi arány (%)"]
    aranka = next(row for row in rows if row[0] == "Résztvevő Aranka")
    assert aranka[3:] == ["jelen", "jelen", "hiányzott", "2", "3", "66,7"]
    # A shorter period: one workshop.
    rows = _csv(
        _download(
            client, GROUP, table="attendance", format="csv", **{"from": "2025-12", "to": "2025-12"}
        ).data
    )
    assert rows[0][3:5] == ["2025.12.12.", "Jelen (alkalom)"]


def test_a_participant_with_nothing_recorded_gets_no_verdict(client, log_in, data):
    """Joined after the period's workshops: no rate, and no "nem" under "Legalább 60 %"
    either (nothing was recorded to judge)."""
    newcomer = make_user(family_name="Új", given_name="Tag")
    make_membership(newcomer, data["group_a"], joined_on=date(2026, 3, 1))
    db.session.commit()
    log_in(data["mentor_a"])
    rows = _csv(_download(client, GROUP, table="participation", format="csv", **PERIOD).data)
    row = dict(zip(rows[0], next(r for r in rows if r[1] == "Új Tag"), strict=True))
    assert row["Rögzített alkalom"] == "0" and row["Részvételi arány (%)"] == ""
    assert row["Legalább 60 %"] == ""
    aranka = dict(zip(rows[0], next(r for r in rows if r[1] == "Résztvevő Aranka"), strict=True))
    assert aranka["Legalább 60 %"] == "igen"


def test_formula_characters_are_written_as_text(client, log_in, data):
    """A name, place or institution beginning with = + - @ is text in CSV and in .xlsx."""
    log_in(data["mentor_a"])
    rows = _csv(_download(client, GROUP, table="participation", format="csv", **PERIOD).data)
    tricky = next(row for row in rows if row[1].endswith("Őrs"))
    assert tricky[1] == "'" + FORMULAS[0] + " Őrs"
    assert tricky[2] == "'" + FORMULAS[1] and tricky[3] == "'" + FORMULAS[3]
    workshop_rows = _csv(_download(client, GROUP, table="workshops", format="csv", **PERIOD).data)
    assert any(row[5] == "'=1+1 téma" for row in workshop_rows)
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)

    book = _xlsx(_download(client, GROUP, table="participation", format="xlsx", **PERIOD).data)
    cells = [cell for row in book.worksheets[0].iter_rows() for cell in row]
    tricky_cells = [c for c in cells if isinstance(c.value, str) and c.value.startswith(FORMULAS)]
    assert {c.value for c in tricky_cells} >= {FORMULAS[0] + " Őrs", FORMULAS[1], FORMULAS[3]}
    assert all(c.data_type == "s" for c in tricky_cells)
    assert not any(c.data_type == "f" for c in cells)


def test_program_exports_hold_every_group(client, log_in, data):
    """The coordinator's program-wide exports: every group, an attendance sheet per group."""
    log_in(data["coordinator"])
    url = "/program/exports/download"
    book = _xlsx(_download(client, url, table="attendance", format="xlsx").data)
    assert book.sheetnames == ["Alfa csoport", "Béta csoport"]
    rows = _csv(_download(client, url, table="workshops", format="csv").data)
    groups = {row[0] for row in rows[1:]}
    assert groups == {"Alfa csoport", "Béta csoport"}
    rows = _csv(_download(client, url, table="attendance", format="csv").data)
    assert rows[0] == ["Alfa csoport"] and ["Béta csoport"] in rows


@pytest.mark.parametrize(
    ("who", "url", "status"),
    [
        ("participant_a", "/groups/alfa/exports", 404),
        ("participant_a", GROUP, 404),
        ("mentor_b", "/groups/alfa/exports", 404),
        ("mentor_b", GROUP, 404),
        ("mentor_a", "/program/exports", 404),
        ("mentor_a", "/program/exports/download", 404),
        ("mentor_a", "/groups/alfa/exports", 200),
        ("coordinator", "/program/exports", 200),
    ],
)
def test_only_who_may_see(client, log_in, data, who, url, status):
    """Group exports: its mentor and the coordinator; program exports: the coordinator."""
    log_in(data[who])
    response = client.get(url, query_string={"table": "attendance", "format": "csv"})
    assert response.status_code == status


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"table": "titkok", "format": "csv"}, "Ismeretlen táblázat."),
        ({"table": "attendance", "format": "pdf"}, "Ismeretlen fájlformátum."),
        ({"table": "attendance", "format": "csv", "from": "tegnap"}, "Adjon meg dátumot"),
        ({"table": "attendance", "format": "csv", "from": "2026-03", "to": "2025-11"}, "nem lehet"),
        ({"table": "attendance", "format": "csv", "from": "2025-02-30"}, "Nem létező dátum."),
    ],
)
def test_bad_input_gets_a_hungarian_message(client, log_in, data, args, message):
    """A wrong table, format or period answers 422 with the page and a message."""
    log_in(data["mentor_a"])
    response = client.get(GROUP, query_string=args)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_pages_link_the_exports(client, log_in, data):
    """The group page links its exports for its mentor; the home page the program's for the
    coordinator; the exports page links each table in both formats for the period."""
    log_in(data["mentor_a"])
    assert "/groups/alfa/exports" in client.get("/groups/alfa").get_data(as_text=True)
    page = client.get("/groups/alfa/exports", query_string=PERIOD).get_data(as_text=True)
    for table in ("attendance", "workshops", "participation"):
        for fmt in ("csv", "xlsx"):
            assert f"table={table}&amp;format={fmt}&amp;from=2025-11-01&amp;to=2026-03-31" in page
    client.post("/logout")
    log_in(data["participant_a"])
    assert "/groups/alfa/exports" not in client.get("/groups/alfa").get_data(as_text=True)
    client.post("/logout")
    log_in(data["coordinator"])
    assert "/program/exports" in client.get("/").get_data(as_text=True)


def test_sheet_names_are_what_excel_accepts():
    """Worksheet names: at most 31 characters, none of []:*?/\\, unique."""
    from journal.exports.formats import sheet_name

    taken: set[str] = set()
    first = sheet_name("Helyi érték / térségi kínálat: [Komló-Hegyhát] és környéke", taken)
    second = sheet_name("Helyi érték / térségi kínálat: [Komló-Hegyhát] és környéke", taken)
    assert len(first) <= 31 and len(second) <= 31
    assert not set("[]:*?/\\") & set(first + second)
    assert first != second and second.endswith("(2)")
