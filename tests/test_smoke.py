"""First look: the pages answer and show what each role should see."""

import re


def test_login_page_is_hungarian(client):
    response = client.get("/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="hu">' in html
    assert "Bejelentkezés" in html


def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login?next=/" in response.headers["Location"]


def test_participant_sees_own_group_only(client, world, log_in):
    log_in(world["participant_a"])
    html = client.get("/").get_data(as_text=True)
    assert "Alfa csoport" in html
    assert "Béta csoport" not in html
    assert client.get("/groups/alfa").status_code == 200
    assert client.get("/groups/beta").status_code == 404


def test_coordinator_sees_all_groups(client, world, log_in):
    log_in(world["coordinator"])
    html = client.get("/").get_data(as_text=True)
    assert "Alfa csoport" in html and "Béta csoport" in html
    assert client.get("/groups/beta").status_code == 200


def test_pages_link_our_favicon(client):
    """The layout names an icon the app serves, so browsers do not ask for /favicon.ico."""
    html = client.get("/login").get_data(as_text=True)
    icon = re.search(r'<link rel="icon" href="(/static/[0-9a-f]{12}/favicon.svg)"', html).group(1)
    response = client.get(icon)
    assert response.status_code == 200 and response.data.startswith(b"<svg")
    response.close()
