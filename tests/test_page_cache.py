"""The page cache (journal/page_cache.py): a write shows on the next view, users never share.

Every write scenario runs twice: with the data-version bump, the change must show on the next
view; with the bump switched off, the same test sees the stale cached page. That proves both
that the page really came from the cache and that the invalidation is what makes it right.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from journal import page_cache
from journal.extensions import db
from journal.models import AttendanceStatus, Group, Membership, Visibility, local_today
from tests.conftest import login
from tests.factories import PASSWORD, make_journal, make_membership, make_user, make_workshop

HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def version_row(app):
    """Make sure the counter row exists (the PostgreSQL run empties every table)."""
    if db.session.get(page_cache.DataVersion, 1) is None:
        db.session.add(page_cache.DataVersion(id=1, value=0))
        db.session.commit()


@pytest.fixture(params=["bump", "no-bump"])
def invalidation(request, monkeypatch):
    """Run a scenario with the version bump, and once more without it."""
    if request.param == "no-bump":
        monkeypatch.setattr(page_cache, "_bump", lambda _session: None)
    return request.param == "bump"


def _page(client, url: str) -> tuple[str, str | None]:
    """GET a page; return its text and whether it came from the cache."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True), response.headers.get("X-Page-Cache")


def _cached(client, url: str) -> str:
    """Fill the cache with a page and check that the next view is served from it."""
    _page(client, url)
    body, state = _page(client, url)
    assert state == "hit"
    return body


def _shows_after(client, url: str, text: str, write) -> bool:
    """Cache a page without text, run a write, and tell whether the next view shows it."""
    assert text not in _cached(client, url)
    write()
    return text in _page(client, url)[0]


@pytest.fixture
def workshop(world):
    """A held workshop of group alfa with a journal whose sections are filled."""
    workshop = make_workshop(world["group_a"], date=local_today() - timedelta(days=3))
    make_journal(workshop, world["mentor_a"], {"topic": "A mai téma", "reflection": "Titok"})
    db.session.commit()
    return workshop


def test_attendance_toggle_shows(client, world, log_in, workshop, invalidation):
    """A tap on the attendance toggle (through the app) shows on the next workshop page."""
    log_in(world["mentor_a"])
    url = f"/workshops/{workshop.id}"
    user_id = str(world["participant_a"].id)

    def tap():
        data = {"user_id": user_id, "status": AttendanceStatus.LATE.value}
        assert client.post(f"{url}/attendance", data=data, headers=HX).status_code == 200

    _cached(client, url)
    before = _page(client, url)[0].count(" checked>")
    tap()
    after = _page(client, url)[0].count(" checked>")
    assert (after == before + 1) is invalidation


def test_journal_save_shows(client, world, log_in, workshop, invalidation):
    """A section saved through the editor shows on the next workshop page."""
    log_in(world["mentor_a"])
    section = next(s for s in workshop.journal.sections if s.key == "topic")

    def save():
        data = {"body": "Egészen új szöveg", "visibility": "coordination"}
        data["version"] = str(section.version)
        response = client.post(f"/sections/{section.id}", data=data, headers=HX)
        assert response.status_code == 200

    assert _shows_after(client, f"/workshops/{workshop.id}", "Egészen új szöveg", save) is (
        invalidation
    )


def test_visibility_change_shows_to_participant(client, world, log_in, workshop, invalidation):
    """A section switched from private to group shows on the participant's next view."""
    section = next(s for s in workshop.journal.sections if s.key == "reflection")
    log_in(world["participant_a"])

    def publish():
        section.visibility = Visibility.GROUP
        db.session.commit()

    assert _shows_after(client, f"/workshops/{workshop.id}", "Titok", publish) is invalidation


def test_member_added_shows(client, world, log_in, invalidation):
    """A new member shows on the next view of the group page."""
    log_in(world["mentor_a"])

    def add():
        newcomer = make_user(family_name="Újonnan", given_name="Érkező")
        make_membership(newcomer, world["group_a"])
        db.session.commit()

    assert _shows_after(client, "/groups/alfa", "Újonnan", add) is invalidation


def test_name_change_shows(client, world, log_in, invalidation):
    """A participant's new name shows on the next view of the group page."""
    log_in(world["coordinator"])

    def rename():
        world["participant_a"].family_name = "Átnevezett"
        db.session.commit()

    assert _shows_after(client, "/groups/alfa", "Átnevezett", rename) is invalidation


def test_group_edit_through_a_bulk_update_shows(client, world, log_in, invalidation):
    """An UPDATE statement run through the session (no unit of work) also invalidates."""
    log_in(world["participant_a"])

    def edit():
        db.session.execute(update(Group).where(Group.slug == "alfa").values(goals="Új célok"))
        db.session.commit()

    assert _shows_after(client, "/groups/alfa", "Új célok", edit) is invalidation


def test_home_page_follows_a_new_group_membership(client, world, log_in, invalidation):
    """The participant's home page lists a group they were just added to."""
    log_in(world["participant_a"])

    def join():
        make_membership(world["participant_a"], world["group_b"])
        db.session.commit()

    assert _shows_after(client, "/", "Béta csoport", join) is invalidation


def test_removed_member_loses_the_cached_page(client, world, log_in, invalidation):
    """A participant who left the group gets 404, not the page cached while a member."""
    log_in(world["participant_a"])
    _cached(client, "/groups/alfa")
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == world["participant_a"].id)
    )
    membership.left_on = local_today() - timedelta(days=1)
    db.session.commit()
    status = client.get("/groups/alfa").status_code
    assert (status == 404) is invalidation


def test_users_never_share_an_entry(client, app, world, log_in, workshop):
    """The mentor's cached page (with the private section) never reaches a participant."""
    url = f"/workshops/{workshop.id}"
    log_in(world["mentor_a"])
    assert "Titok" in _cached(client, url)
    client.post("/logout")
    log_in(world["participant_a"])
    body, state = _page(client, url)
    assert state != "hit" and "Titok" not in body
    assert "Titok" not in _cached(client, url)
    keys = app.extensions["page_cache"].entries.keys()
    assert {key[1] for key in keys} == {world["mentor_a"].id, world["participant_a"].id}


def test_logout_ends_a_cached_session(client, world, log_in):
    """A cookie copied before logout does not get the cached page afterwards."""
    log_in(world["mentor_a"])
    _cached(client, "/groups/alfa")
    copied = client.get_cookie("session").value
    client.post("/logout")
    client.set_cookie("session", copied)
    response = client.get("/groups/alfa")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_deactivated_user_gets_nothing_from_the_cache(client, world, log_in):
    """Deactivation takes effect on the next request even with a cached page."""
    log_in(world["mentor_a"])
    _cached(client, "/groups/alfa")
    world["mentor_a"].active = False
    db.session.commit()
    assert client.get("/groups/alfa").status_code == 302


def test_flashes_are_never_cached_nor_lost(client, world, log_in):
    """A page viewed with a pending flash shows it, and the cache neither serves nor keeps it."""
    log_in(world["mentor_a"])
    _cached(client, "/groups/alfa")
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Egy fontos üzenet")]
    body, state = _page(client, "/groups/alfa")
    assert state is None and "Egy fontos üzenet" in body
    assert "Egy fontos üzenet" not in _page(client, "/groups/alfa")[0]


def test_each_session_gets_its_own_csrf_token(app, world):
    """The cached body carries no token; each session gets its own on a hit."""
    first, second = app.test_client(), app.test_client()
    tokens = []
    for client in (first, second):
        login(client, world["mentor_a"])
        client.get("/groups/alfa")
    for client in (first, second):
        body, state = _page(client, "/groups/alfa")
        token = body.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        tokens.append((state, token.split(".")[0]))
    assert [state for state, _ in tokens] == ["hit", "hit"]
    assert tokens[0][1] != tokens[1][1]
    stored = next(iter(app.extensions["page_cache"].entries.values()))
    assert len(stored) > 1 and not any(token.encode() in b"".join(stored) for _, token in tokens)


def test_htmx_requests_and_errors_are_not_cached(client, world, log_in):
    """Fragments and 404 pages never go into the cache."""
    log_in(world["participant_a"])
    client.get("/groups/beta")
    client.get("/groups/alfa", headers=HX)
    assert client.get("/groups/beta").status_code == 404
    assert client.application.extensions.get("page_cache") is None or not (
        client.application.extensions["page_cache"].entries
    )


def test_cache_can_be_switched_off(client, world, log_in):
    """PAGE_CACHE = False serves every page cold (the benchmark's uncached figures)."""
    client.application.config["PAGE_CACHE"] = False
    log_in(world["mentor_a"])
    client.get("/groups/alfa")
    assert client.get("/groups/alfa").headers.get("X-Page-Cache") is None


def test_pages_link_our_favicon(client):
    """The layout names an icon the app serves, so browsers do not ask for /favicon.ico."""
    html = client.get("/login").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    response = client.get("/static/favicon.svg")
    assert response.status_code == 200 and response.data.startswith(b"<svg")
    response.close()


def _version() -> int:
    """Read the data version as a new request would."""
    return db.session.scalar(select(page_cache.DataVersion.value))


def test_one_bump_per_transaction_and_again_after_a_savepoint_rollback(app, world):
    """A write bumps once per transaction; a bump undone with its savepoint is made again."""
    before = _version()
    world["group_a"].goals = "Első"
    db.session.flush()
    world["group_b"].goals = "Második"
    db.session.commit()
    assert _version() == before + 1
    savepoint = db.session.begin_nested()
    world["group_a"].goals = "Visszavont"
    db.session.flush()
    savepoint.rollback()
    world["group_b"].goals = "Megmarad"
    db.session.commit()
    assert _version() == before + 2


def test_token_in_a_cached_page_is_accepted(tmp_path):
    """With CSRF on, the token put into a cache hit is valid for a write of that session,
    for a second session of the same user too (each gets its own)."""
    from tests.conftest import build_app
    from tests.factories import make_world

    (tmp_path / "csrf").mkdir()  # beside the autouse fixture's app and its database
    app = build_app(tmp_path / "csrf", WTF_CSRF_ENABLED=True)
    with app.app_context():
        if db.session.get(page_cache.DataVersion, 1) is None:
            db.session.add(page_cache.DataVersion(id=1, value=0))
        world = make_world()
        workshop = make_workshop(world["group_a"], date=local_today() - timedelta(days=1))
        db.session.commit()
        url = f"/workshops/{workshop.id}"
        for _session in range(2):
            client = app.test_client()
            page = client.get("/login").get_data(as_text=True)
            token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
            data = {"csrf_token": token, "email": world["mentor_a"].email, "password": PASSWORD}
            assert client.post("/login", data=data).status_code == 303
            client.get(url)
            hit = client.get(url)
            if _session == 1:
                assert hit.headers.get("X-Page-Cache") == "hit"
            html = hit.get_data(as_text=True)
            token = html.split('"X-CSRFToken": "', 1)[1].split('"', 1)[0]
            tap = {"user_id": str(world["participant_a"].id), "status": "present"}
            response = client.post(
                f"{url}/attendance", data=tap, headers=HX | {"X-CSRFToken": token}
            )
            assert response.status_code == 200, response.status_code
            client.get("/")  # no flashes left behind for the next round
        db.session.remove()
        db.engine.dispose()
