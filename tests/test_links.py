"""Links that leave the page are built on PUBLIC_URL, never on the Host a request claims."""

import re

import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from journal.extensions import db
from journal.models import WorkshopStatus, local_today
from journal.workshops import ics
from tests.apps import DATABASE_URL
from tests.factories import make_workshop

PUBLIC = "https://naplo.example.hu"


def test_feed_invitation_and_calendar_links_use_the_public_address(app, client, world, log_in):
    """A request sent to a trusted host other than PUBLIC_URL's still gets the calendar link,
    the feed's workshop links and a new invitation link on PUBLIC_URL."""
    app.config["PUBLIC_URL"] = PUBLIC
    make_workshop(world["group_a"], date=local_today(), status=WorkshopStatus.PLANNED)
    db.session.commit()
    log_in(world["participant_a"])  # on localhost, the test's other trusted host
    page = client.get("/groups/alfa").get_data(as_text=True)
    assert f"{PUBLIC}/calendar/" in page and "localhost" not in page
    membership = next(
        m for m in world["participant_a"].memberships if m.group_id == world["group_a"].id
    )
    feed = client.get(f"/calendar/{ics.feed_token(membership)}.ics")
    text = feed.get_data(as_text=True).replace("\r\n ", "")
    assert f"{PUBLIC}/workshops/" in text and "localhost" not in text
    client.post("/logout")
    log_in(world["coordinator"])
    person = world["participant_a2"].id
    response = client.post(f"/people/{person}/link", follow_redirects=True)
    link = re.search(r'id="one-time-link"[^>]*value="([^"]+)"', response.get_data(as_text=True))
    assert link and link[1].startswith(f"{PUBLIC}/invitation/")


def test_a_request_naming_a_foreign_host_is_refused(app, world):
    """Only PUBLIC_URL's host and EXTRA_HOSTS are answered: a calendar feed (or any page)
    asked for with another Host gets 400 and never a link on that host."""
    membership = world["participant_a"].memberships[0]
    make_workshop(membership.group, date=local_today(), status=WorkshopStatus.PLANNED)
    db.session.commit()
    url = f"/calendar/{ics.feed_token(membership)}.ics"
    client, evil = app.test_client(), {"base_url": "http://evil.example"}
    answers = client.get(url, **evil), client.get("/login", **evil), client.post("/login", **evil)
    for answer in answers:
        assert answer.status_code == 400
        assert "evil.example" not in answer.get_data(as_text=True)
        assert "Hibás kérés" in answer.get_data(as_text=True)
    assert app.test_client().get(url).status_code == 200
    assert app.config["TRUSTED_HOSTS"] == ["127.0.0.1", "localhost"]


def test_https_answers_carry_hsts_and_logout_clears_the_browser_cache(client, world, log_in):
    """Over HTTPS every answer says to use only HTTPS (not over plain HTTP, where it would be
    ignored anyway); logging out tells the browser to drop its cache of the pages."""
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    log_in(world["participant_a"])
    assert client.post("/logout").headers["Clear-Site-Data"] == '"cache"'


def test_postgresql_connections_are_checked_before_use(tmp_path):
    """On PostgreSQL the pool pings a connection before handing it out; SQLite needs none."""
    from journal import create_app

    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    app = create_app({"SECRET_KEY": "x", "TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    lite = f"sqlite:///{tmp_path / 'x.sqlite'}"
    app = create_app({"SECRET_KEY": "x", "TESTING": True, "SQLALCHEMY_DATABASE_URI": lite})
    assert "pool_pre_ping" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]


@pytest.mark.skipif(
    not (DATABASE_URL or "").startswith("postgresql"), reason="needs the PostgreSQL server"
)
def test_a_terminated_postgresql_connection_does_not_fail_the_next_request(
    app, client, world, log_in
):
    """The server ends every connection of the app (as a restart would): the next request is
    served, not answered 500."""
    from sqlalchemy import text

    log_in(world["participant_a"])
    assert client.get("/").status_code == 200
    with app.app_context():
        database = db.engine.url.database
    engine = create_engine(DATABASE_URL.rsplit("/", 1)[0] + "/postgres", poolclass=NullPool)
    with engine.connect() as admin:
        admin.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": database},
        )
        admin.commit()
    engine.dispose()
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    ("endpoint", "name", "values", "value"),
    [
        ("groups.group", "slug", {}, "alfa"),
        ("groups.group", "slug", {}, "á b/c?d#e%f"),  # quoted as the URL map quotes it
        ("groups.tasks", "slug", {"kind": "journal"}, "komlo-hegyhat"),
        ("notes.board", "slug", {}, "tata"),
        ("workshops.show", "workshop_id", {}, 918273),
        ("people.reminder", "user_id", {}, 7),
    ],
)
def test_a_url_pattern_fills_in_what_url_for_builds(app, endpoint, name, values, value):
    """An address built once and filled in per row is the one url_for builds for that row."""
    from flask import url_for

    from journal.links import UrlPattern

    with app.test_request_context("/"):
        pattern = UrlPattern(endpoint, name, **values)
        assert pattern.fill(value) == url_for(endpoint, **values, **{name: value})
