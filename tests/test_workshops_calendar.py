"""The private, revocable iCalendar feed of a group."""

import re
from datetime import date, time, timedelta

from sqlalchemy import select

from journal.extensions import db
from journal.models import Membership, WorkshopStatus, local_today
from journal.workshops import ics
from tests.factories import make_workshop


def _membership(world, key: str, group: str = "group_a") -> Membership:
    """Return a person's membership in a group."""
    return db.session.scalar(
        select(Membership).where(
            Membership.user_id == world[key].id, Membership.group_id == world[group].id
        )
    )


def _feed_url(world, key: str = "participant_a") -> str:
    """Return the person's current feed path."""
    return f"/calendar/{ics.feed_token(_membership(world, key))}.ics"


def parse(body: bytes) -> list[dict]:
    """Parse an iCalendar document strictly: CRLF, folded lines ≤ 75 octets, nested blocks."""
    text = body.decode("utf-8")
    assert text.endswith("\r\n")
    raw_lines = text[:-2].split("\r\n")
    assert all("\n" not in line and "\r" not in line for line in raw_lines)
    assert all(len(line.encode()) <= 75 for line in raw_lines), [
        line for line in raw_lines if len(line.encode()) > 75
    ]
    lines: list[str] = []
    for line in raw_lines:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    stack: list[tuple[str, dict]] = []
    components: list[dict] = []
    for line in lines:
        name, _, value = line.partition(":")
        assert re.fullmatch(r"[A-Z-]+(;[A-Z-]+=[^;:]+)*", name), line
        if name == "BEGIN":
            stack.append((value, {"_type": value}))
        elif name == "END":
            kind, props = stack.pop()
            assert kind == value
            components.append(props)
        else:
            stack[-1][1][name] = value
    assert not stack
    return components


def unescape(value: str) -> str:
    """Undo TEXT escaping."""
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def test_feed_lists_the_groups_workshops(client, world):
    """A member's link gives every workshop of the group, escaped, folded and zoned."""
    long_agenda = "Ráhangolódás, kiscsoportok; közös összegzés\\ zárás\n" + "árvíztűrő " * 20
    make_workshop(
        world["group_a"],
        date=date(2026, 3, 12),
        start_time=time(14),
        end_time=time(17, 30),
        topic="Értékek, tervek; és \\ jelek",
        place="Művelődési Ház, Tata",
        agenda=long_agenda,
    )
    make_workshop(
        world["group_a"],
        date=date(2026, 4, 2),
        topic="Elmaradt alkalom",
        status=WorkshopStatus.CANCELLED,
        cancel_reason="Betegség",
    )
    make_workshop(world["group_b"], topic="Béta titok")
    db.session.commit()
    response = client.get(_feed_url(world))
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "no-store" in response.headers["Cache-Control"]
    components = parse(response.data)
    calendar = components[-1]
    assert calendar["_type"] == "VCALENDAR" and calendar["VERSION"] == "2.0"
    assert any(c["_type"] == "VTIMEZONE" and c["TZID"] == "Europe/Budapest" for c in components)
    events = [c for c in components if c["_type"] == "VEVENT"]
    assert len(events) == 2 and "Béta titok" not in response.get_data(as_text=True)
    first, second = events
    assert unescape(first["SUMMARY"]) == "Értékek, tervek; és \\ jelek"
    assert first["SUMMARY"] == "Értékek\\, tervek\\; és \\\\ jelek"
    assert unescape(first["LOCATION"]) == "Művelődési Ház, Tata"
    assert unescape(first["DESCRIPTION"]) == long_agenda
    assert first["DTSTART;TZID=Europe/Budapest"] == "20260312T140000"
    assert first["DTEND;TZID=Europe/Budapest"] == "20260312T173000"
    assert first["STATUS"] == "CONFIRMED"
    assert re.fullmatch(r"\d{8}T\d{6}Z", first["DTSTAMP"])
    assert first["UID"] != second["UID"] and first["UID"].endswith("@muhelynaplo")
    assert second["STATUS"] == "CANCELLED"
    assert second["DTSTART;VALUE=DATE"] == "20260402"
    assert second["DTEND;VALUE=DATE"] == "20260403"
    assert "Betegség" in unescape(second["DESCRIPTION"])


def test_the_feed_carries_no_control_character(client, world):
    """A topic stored with control characters (before requests dropped them) is sent without
    them: RFC 5545 allows none but the tab, and a strict calendar drops the whole feed."""
    make_workshop(world["group_a"], topic="Ellenőrző\x01\x07 alkalom\x1b")
    db.session.commit()
    feed = client.get(_feed_url(world)).get_data(as_text=True)
    assert "SUMMARY:Ellenőrző alkalom\r\n" in feed
    assert not re.search(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f]", feed)


def test_folding_never_splits_a_character():
    """Long lines of multi-byte letters fold at 75 octets on character boundaries."""
    line = "SUMMARY:" + "ő" * 100
    folded = ics.fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert parts[0] + "".join(p[1:] for p in parts[1:]) == line
    assert ics.fold("SHORT:x") == "SHORT:x"
    assert ics.escape_text("a,b;c\\d\r\ne") == "a\\,b\\;c\\\\d\\ne"


def test_renewing_revokes_the_old_link(client, world, log_in):
    """The "new link" button bumps the generation: the old link answers 404, the new works."""
    old = _feed_url(world)
    assert client.get(old).status_code == 200
    log_in(world["participant_a"])
    page = client.get("/groups/alfa").get_data(as_text=True)
    assert old in page
    response = client.post("/groups/alfa/calendar/renew")
    assert response.status_code == 303
    assert client.get(old).status_code == 404
    new = _feed_url(world)
    assert new != old and client.get(new).status_code == 200
    assert new in client.get("/groups/alfa").get_data(as_text=True)
    # Only one's own link: the other participant's still works.
    assert client.get(_feed_url(world, "participant_a2")).status_code == 200


def test_feed_needs_a_current_member(client, world):
    """Malformed, forged, other-secret and departed members' links answer 404."""
    url = _feed_url(world)
    membership = _membership(world, "participant_a")
    for bad in ("abc", "12", f"{membership.id}-", f"{membership.id}-deadbeef", "-x"):
        assert client.get(f"/calendar/{bad}.ics").status_code == 404
    membership.left_on = local_today() - timedelta(days=1)
    db.session.commit()
    assert client.get(url).status_code == 404
    membership.left_on = None
    world["participant_a"].active = False
    db.session.commit()
    assert client.get(url).status_code == 404


def test_coordinator_gets_no_link_without_membership(client, world, log_in):
    """The coordinator sees feeds only for groups she belongs to; renewing elsewhere is 403."""
    log_in(world["coordinator"])
    page = client.get("/groups/alfa").get_data(as_text=True)
    assert "/calendar/" not in page
    assert client.post("/groups/alfa/calendar/renew").status_code == 403
