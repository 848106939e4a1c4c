"""Every address the page's scripts use comes from the page, never written into the script."""

import re
from pathlib import Path

JS = Path(__file__).resolve().parent.parent / "static" / "js"


def test_no_script_writes_an_address_of_the_app():
    """A quoted string starting with "/" in static/js is a hard-coded URL (comments aside)."""
    found = []
    for script in sorted(JS.glob("*.js")):
        for number, line in enumerate(script.read_text().splitlines(), start=1):
            code = line.split("//", 1)[0]
            if re.search(r"""["'`]/[A-Za-z_]""", code):
                found.append(f"{script.name}:{number}: {line.strip()}")
    assert found == []


def test_the_page_gives_the_token_and_draft_addresses(client, world, log_in):
    """An editor names its draft's address."""
    from tests.factories import make_journal, make_workshop

    journal = make_journal(make_workshop(world["group_a"]), world["mentor_a"])
    log_in(world["mentor_a"])
    page = client.get(f"/workshops/{journal.workshop_id}/journal/write").get_data(as_text=True)
    section = journal.sections[0]
    assert f'data-autosave-url="/drafts/section:{section.id}"' in page


def test_the_scripts_stay_within_their_line_budget():
    """Hand-written JavaScript is kept for what only the browser can do (issue 11: at most 510
    lines in static/js, half of what it was)."""
    lines = sum(len(p.read_text().splitlines()) for p in JS.glob("*.js"))
    assert lines <= 510, lines
