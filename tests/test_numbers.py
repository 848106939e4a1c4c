"""Numbers the browser sends (ids, versions, pages) are read one way: plain ASCII digits that
fit an integer column. Anything else is bad input (4xx), never a server error."""

import pytest

from journal.extensions import db
from journal.forms import positive_int
from journal.journals.operations import start_journal
from tests.factories import make_workshop

# str.isdigit() is true for the first two, and int() fails on "²"; the last two overflow.
HX = {"HX-Request": "true"}
NOT_NUMBERS = ["²", "٣", "-1", "0", "1e3", " ", "", "2147483648", "9" * 30]


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_only_plain_digits_that_fit_are_numbers(text):
    """Superscripts, other scripts' digits, signs, zero and overflows are not numbers."""
    assert positive_int(text) is None


def test_plain_digits_are_numbers():
    """What a form or URL really sends is read, spaces around it allowed."""
    assert positive_int("12") == 12 and positive_int(" 7 ") == 7 and positive_int(3) == 3
    assert positive_int("2147483647") == 2**31 - 1 and positive_int(None) is None


@pytest.mark.parametrize("text", ["²", "9" * 30])
def test_endpoints_answer_bad_numbers_with_4xx(app, client, world, log_in, text):
    """A version, revision, user, guest, page or feed id that is not a number is refused."""
    workshop = make_workshop(world["group_a"])
    section = start_journal(world["mentor_a"], workshop).sections[0]
    db.session.commit()
    log_in(world["mentor_a"])
    answers = [
        client.get(f"/sections/{section.id}/compare?from={text}&to=1"),
        client.post(f"/sections/{section.id}/restore", data={"revision": text, "version": "1"}),
        client.post(f"/sections/{section.id}/restore", data={"revision": "1", "version": text}),
        client.post(f"/workshops/{workshop.id}/attendance", data={"user_id": text}, headers=HX),
        client.post(f"/workshops/{workshop.id}/guests/remove", data={"guest_id": text}, headers=HX),
        client.get(f"/calendar/{text}-aláírás.ics"),
    ]
    assert all(400 <= a.status_code < 500 for a in answers), [a.status_code for a in answers]
    board = client.get(f"/groups/{world['group_a'].slug}/notes?page={text}&workshop={text}")
    assert board.status_code == 200
