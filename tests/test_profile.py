"""My profile: name and language."""

from journal.extensions import db


def test_profile_shows_my_data(client, world, log_in):
    """The profile page shows the user's email and name."""
    log_in(world["participant_a"])
    html = client.get("/profile").get_data(as_text=True)
    assert world["participant_a"].email in html
    assert 'value="Résztvevő"' in html and 'value="Aranka"' in html


def test_update_name_and_language(client, world, log_in):
    """Name and language are saved; the page then speaks the chosen language."""
    user = world["participant_a"]
    log_in(user)
    response = client.post(
        "/profile", data={"family_name": "Új-Név", "given_name": "Aranka", "language": "en"}
    )
    assert response.status_code == 303
    db.session.refresh(user)
    assert (user.family_name, user.language) == ("Új-Név", "en")
    assert '<html lang="en">' in client.get("/profile").get_data(as_text=True)


def test_a_name_keeps_no_control_character_and_every_page_still_sorts_it(client, world, log_in):
    """A NUL or another control character in a posted name (pasted, or sent by a script) is
    dropped before anything reads it: PostgreSQL refuses a NUL (a 500), a spreadsheet refuses
    the others. "²" stays, and the group page, which sorts the names, still answers."""
    user = world["participant_a"]
    log_in(user)
    data = {"family_name": "Új\x00-Név\x01²", "given_name": "Ar\x7fanka", "language": "hu"}
    assert client.post("/profile", data=data).status_code == 303
    db.session.refresh(user)
    assert (user.family_name, user.given_name) == ("Új-Név²", "Aranka")
    assert client.get(f"/groups/{world['group_a'].slug}").status_code == 200


def test_bad_profile_input_keeps_text_and_changes_nothing(client, world, log_in):
    """An empty family name or unknown language answers 422 and saves nothing."""
    user = world["participant_a"]
    log_in(user)
    response = client.post(
        "/profile", data={"family_name": "", "given_name": "Gépelt", "language": "xx"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Adja meg a vezetéknevet." in html
    assert 'value="Gépelt"' in html
    db.session.refresh(user)
    assert (user.family_name, user.given_name, user.language) == ("Résztvevő", "Aranka", "hu")


def test_too_long_name_is_refused(client, world, log_in):
    """Over-long names get a Hungarian message."""
    log_in(world["participant_a"])
    response = client.post(
        "/profile", data={"family_name": "x" * 101, "given_name": "A", "language": "hu"}
    )
    assert response.status_code == 422
    assert "Legfeljebb 100 karakter lehet; ez 101 karakter." in response.get_data(as_text=True)
