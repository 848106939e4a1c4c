"""The coordinator's people page: invite, deactivate, place in groups, make mentor."""

import re

from sqlalchemy import func, select

from journal.extensions import db
from journal.models import Invitation, Membership, Role, User, local_today
from tests.factories import make_user

HX = {"HX-Request": "true"}


def _count(model) -> int:
    """Count rows of a model."""
    return db.session.scalar(select(func.count()).select_from(model))


def test_people_page_lists_everyone_in_hungarian_order(client, world, log_in):
    """Everyone is listed, family name first, in Hungarian alphabetical order."""
    make_user(family_name="Csonka", given_name="Péter")
    make_user(family_name="Cukor", given_name="Ágnes")
    log_in(world["coordinator"])
    html = client.get("/people").get_data(as_text=True)
    assert html.index("Cukor Ágnes") < html.index("Csonka Péter")
    assert "Résztvevő Borbála" in html and "Résztvevő Aranka" in html


def test_invite_creates_person_membership_and_single_use_link(client, world, log_in):
    """Inviting shows a link that lets the new person set a password."""
    log_in(world["coordinator"])
    response = client.post(
        "/people",
        data={
            "family_name": "Új",
            "given_name": "Ödön",
            "email": "Uj.Odon@Example.org",
            "group": "alfa",
            "role": "participant",
            "institution": "Közösségi Ház",
            "settlement": "Ács",
        },
    )
    assert response.status_code == 303
    user = db.session.scalar(select(User).where(User.email == "uj.odon@example.org"))
    assert user is not None and user.password_hash is None
    membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert membership.group_id == world["group_a"].id and membership.settlement == "Ács"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "/invitation/" in page
    link = re.search(r'id="one-time-link"[^>]*value="([^"]+)"', page).group(1)
    assert client.get(link, follow_redirects=True).status_code == 200


def test_invite_with_bad_input_keeps_text_and_changes_nothing(client, world, log_in):
    """Bad input answers 422 with Hungarian messages, keeps what was typed, adds nobody."""
    log_in(world["coordinator"])
    before = _count(User)
    response = client.post(
        "/people",
        data={"family_name": "Kovács", "given_name": "", "email": "nem-email", "group": ""},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Adja meg a keresztnevet." in html
    assert "Ez nem érvényes e-mail-cím." in html
    assert 'value="Kovács"' in html and 'value="nem-email"' in html
    assert _count(User) == before


def test_invite_with_existing_email_is_refused(client, world, log_in):
    """An email already in use, in any case, is refused in Hungarian."""
    log_in(world["coordinator"])
    before = _count(User)
    response = client.post(
        "/people",
        data={
            "family_name": "Másik",
            "given_name": "Ember",
            "email": world["participant_a"].email.upper(),
        },
    )
    assert response.status_code == 422
    assert "Ezzel az e-mail-címmel már van felhasználó." in response.get_data(as_text=True)
    assert _count(User) == before


def test_invite_to_unknown_group_is_refused(client, world, log_in):
    """A group slug that does not exist is an error, not a crash."""
    log_in(world["coordinator"])
    response = client.post(
        "/people",
        data={"family_name": "A", "given_name": "B", "email": "ab@example.org", "group": "nincs"},
    )
    assert response.status_code == 422
    assert "Nincs ilyen csoport." in response.get_data(as_text=True)


def test_deactivate_with_htmx_swaps_only_the_person(client, world, log_in):
    """The htmx action answers the person's fragment, not a whole page."""
    log_in(world["coordinator"])
    person = world["participant_a"]
    response = client.post(f"/people/{person.id}/deactivate", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="person-{person.id}"' in html
    assert "<html" not in html
    assert "HX-Request" in response.headers["Vary"]
    db.session.refresh(person)
    assert person.active is False
    client.post(f"/people/{person.id}/activate", headers=HX)
    db.session.refresh(person)
    assert person.active is True


def test_a_link_given_before_disabling_stays_dead_after_enabling(client, world, log_in):
    """Disabling an account ends its unused password links for good: enabling it again does
    not bring an old link back; a new one works."""
    log_in(world["coordinator"])
    person = world["participant_a"]
    response = client.post(f"/people/{person.id}/link")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    old = re.search(r'id="one-time-link"[^>]*value="([^"]+)"', page).group(1)
    assert client.get(old, follow_redirects=True).status_code == 200
    client.post(f"/people/{person.id}/deactivate", headers=HX)
    client.post(f"/people/{person.id}/activate", headers=HX)
    db.session.refresh(person)
    assert person.active
    assert client.get(old, follow_redirects=True).status_code == 404
    response = client.post(f"/people/{person.id}/link")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    new = re.search(r'id="one-time-link"[^>]*value="([^"]+)"', page).group(1)
    assert client.get(new, follow_redirects=True).status_code == 200


def test_coordinator_cannot_deactivate_self(client, world, log_in):
    """Locking oneself out is refused with a message that does not replace the page part."""
    coordinator = world["coordinator"]
    log_in(coordinator)
    response = client.post(f"/people/{coordinator.id}/deactivate", headers=HX)
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#messages"
    assert "Saját fiókját nem tilthatja le." in response.get_data(as_text=True)
    db.session.refresh(coordinator)
    assert coordinator.active


def test_add_to_group_make_mentor_and_remove(client, world, log_in):
    """Membership changes: join, become mentor, leave (the record stays)."""
    log_in(world["coordinator"])
    person = world["participant_b"]
    response = client.post(
        f"/people/{person.id}/memberships",
        data={"group": "alfa", "role": "participant", "institution": "Ház", "settlement": "Bő"},
    )
    assert response.status_code == 303
    membership = db.session.scalar(
        select(Membership).where(
            Membership.user_id == person.id, Membership.group_id == world["group_a"].id
        )
    )
    client.post(f"/people/{person.id}/memberships/{membership.id}/role", data={"role": "mentor"})
    db.session.refresh(membership)
    assert membership.role == Role.MENTOR
    page = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert 'hx-confirm="Eltávolítja ebből a csoportból: Alfa csoport?' in page
    removed = client.post(
        f"/people/{person.id}/memberships/{membership.id}/remove", headers={"HX-Request": "true"}
    )
    said = removed.get_data(as_text=True)
    assert "Résztvevő Borbála kikerült ebből a csoportból: Alfa csoport." in said
    db.session.refresh(membership)
    assert membership.left_on is not None
    # The person page still says where they were, and how long.
    ended = said[said.index("Korábbi csoportok") :]
    assert "Alfa csoport" in ended and f"/groups/alfa/people/{person.id}" in ended
    # Gone from the group: the group page no longer lists them, and they cannot open it.
    assert "Résztvevő Borbála" not in client.get("/groups/alfa").get_data(as_text=True)


def test_taking_back_a_member_removed_by_mistake_keeps_their_history(client, world, log_in):
    """Removed and added back the same day (the undo a coordinator reaches for), a member keeps
    the day they joined, their institution and settlement; added back on a later day without
    a day given, they join that day, still keeping where they work."""
    from datetime import date, timedelta

    from journal.models import local_today

    log_in(world["coordinator"])
    person = world["participant_a"]
    membership = db.session.scalar(
        select(Membership).where(
            Membership.user_id == person.id, Membership.group_id == world["group_a"].id
        )
    )
    membership.joined_on, membership.institution, membership.settlement = (
        date(2025, 11, 1), "Alfa-ház", "Tata",
    )  # fmt: skip
    db.session.commit()
    back = {"group": "alfa", "role": "participant", "institution": "", "settlement": ""}
    client.post(f"/people/{person.id}/memberships/{membership.id}/remove")
    assert client.post(f"/people/{person.id}/memberships", data=back).status_code == 303
    db.session.refresh(membership)
    assert membership.is_current and membership.joined_on == date(2025, 11, 1)
    assert (membership.institution, membership.settlement) == ("Alfa-ház", "Tata")
    client.post(f"/people/{person.id}/memberships/{membership.id}/remove")
    membership.left_on = local_today() - timedelta(days=30)  # left a month ago
    db.session.commit()
    assert client.post(f"/people/{person.id}/memberships", data=back).status_code == 303
    db.session.refresh(membership)
    assert membership.joined_on == local_today() and membership.institution == "Alfa-ház"


def test_add_to_group_twice_is_refused(client, world, log_in):
    """Adding a current member again is a Hungarian error and adds nothing."""
    log_in(world["coordinator"])
    person = world["participant_a"]
    before = _count(Membership)
    response = client.post(
        f"/people/{person.id}/memberships", data={"group": "alfa", "role": "participant"}
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "már tagja ennek a csoportnak" in page
    assert _count(Membership) == before


def test_add_to_group_without_group_keeps_typed_text(client, world, log_in):
    """A missing group re-renders the form with the typed institution kept."""
    log_in(world["coordinator"])
    response = client.post(
        f"/people/{world['participant_a'].id}/memberships",
        data={"group": "", "role": "participant", "institution": "Gépelt intézmény"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Válasszon csoportot." in html and 'value="Gépelt intézmény"' in html


def test_unknown_role_is_refused(client, world, log_in):
    """A forged role value changes nothing."""
    log_in(world["coordinator"])
    person = world["participant_a"]
    membership = person.memberships[0]
    client.post(f"/people/{person.id}/memberships/{membership.id}/role", data={"role": "admin"})
    db.session.refresh(membership)
    assert membership.role == Role.PARTICIPANT


def test_membership_of_another_person_answers_404(client, world, log_in):
    """A membership id that belongs to someone else is not found."""
    log_in(world["coordinator"])
    other = world["participant_b"].memberships[0]
    response = client.post(f"/people/{world['participant_a'].id}/memberships/{other.id}/remove")
    assert response.status_code == 404
    db.session.refresh(other)
    assert other.left_on is None


def test_new_password_link_for_forgotten_password(client, world, log_in):
    """The coordinator makes a reset link; it is single-use like an invitation."""
    log_in(world["coordinator"])
    person = world["participant_a"]
    response = client.post(f"/people/{person.id}/link")
    assert response.status_code == 303
    assert _count(Invitation) == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "/invitation/" in page


def test_mentor_and_participant_get_403(client, world, log_in):
    """Only the coordinator may use the people page."""
    log_in(world["mentor_a"])
    assert client.get("/people").status_code == 403
    assert client.post(f"/people/{world['participant_a'].id}/deactivate").status_code == 403


def test_joining_day_decides_which_past_workshops_list_the_newcomer(client, world, log_in):
    """Added with the day they really joined (typed late), a participant is on the workshops
    since then; left blank it is today; a wrong date is refused with the typed text kept."""
    from datetime import date

    from journal.workshops.queries import attendees
    from tests.factories import make_workshop

    workshop = make_workshop(world["group_a"], date=date(2025, 12, 3))
    log_in(world["coordinator"])
    base = {"group": "alfa", "role": "participant", "institution": "Ház", "settlement": "Bő"}
    memberships = _count(Membership)
    bad = client.post(
        f"/people/{world['participant_b'].id}/memberships", data=base | {"joined_on": "tegnap"}
    )
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Ez nem érvényes dátum" in html and 'value="Ház"' in html
    assert _count(Membership) == memberships  # the refused form added nobody
    response = client.post(
        "/people",
        data=base
        | {"family_name": "Késve", "given_name": "Beírt", "email": "kesve@example.org"}
        | {"joined_on": "2025-11-20"},
    )
    assert response.status_code == 303
    late = db.session.scalar(select(User).where(User.email == "kesve@example.org"))
    assert late.memberships[0].joined_on == date(2025, 11, 20)
    assert late.id in {m.user_id for m in attendees(workshop)}
    client.post(f"/people/{world['participant_b'].id}/memberships", data=base)
    today = db.session.scalar(
        select(Membership).where(
            Membership.user_id == world["participant_b"].id,
            Membership.group_id == world["group_a"].id,
        )
    )
    assert today.joined_on == local_today()
    assert today.user_id not in {m.user_id for m in attendees(workshop)}


def test_joining_day_can_be_corrected(client, world, log_in):
    """The coordinator corrects the day a member joined: from then on the earlier workshops
    list them; a wrong, empty or future day is refused with the typed text kept and nothing
    changed; an ended membership cannot be changed."""
    from datetime import date, timedelta

    from journal.workshops.queries import attendees
    from tests.factories import make_workshop

    workshop = make_workshop(world["group_a"], date=date(2025, 12, 3))
    person = world["participant_a"]
    membership = db.session.scalar(
        select(Membership).where(
            Membership.user_id == person.id, Membership.group_id == world["group_a"].id
        )
    )
    membership.joined_on = date(2026, 1, 10)
    db.session.commit()
    assert person.id not in {m.user_id for m in attendees(workshop)}
    log_in(world["coordinator"])
    url = f"/people/{person.id}/memberships/{membership.id}/joined"
    name = f"membership-{membership.id}-joined_on"
    page = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert f'name="{name}"' in page and 'value="2026-01-10"' in page

    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    for typed, message in (
        ("tegnap", "Ez nem érvényes dátum"),
        ("", "Adja meg a csatlakozás napját."),
        (tomorrow, "A csatlakozás napja nem lehet későbbi a mai napnál."),
        ("0202-11-01", "Ellenőrizze az évszámot"),
    ):
        for headers in ({}, {"HX-Request": "true"}):
            response = client.post(url, data={name: typed}, headers=headers)
            assert response.status_code == 422, typed
            html = response.get_data(as_text=True)
            assert message in html and f'value="{typed}"' in html, typed
            assert ("<html" in html) is not bool(headers)
            if headers:  # only this form comes back: what is typed elsewhere stays
                assert html.lstrip().startswith("<form") and "Hozzáadás csoporthoz" not in html
            db.session.expire_all()
            assert db.session.get(Membership, membership.id).joined_on == date(2026, 1, 10)

    response = client.post(url, data={name: "2025-11-20"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'value="2025-11-20"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Membership, membership.id).joined_on == date(2025, 11, 20)
    assert person.id in {m.user_id for m in attendees(workshop)}

    response = client.post(url, data={name: "2025-11-21"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Membership, membership.id).joined_on == date(2025, 11, 21)

    # Not after a workshop whose attendance records them: the sheets would contradict it.
    from journal.models import Attendance, AttendanceStatus, WorkshopStatus

    db.session.add(Attendance(workshop_id=workshop.id, user_id=person.id,
                              status=AttendanceStatus.ABSENT))  # fmt: skip
    db.session.commit()
    for headers in ({}, {"HX-Request": "true"}):
        response = client.post(url, data={name: "2025-12-04"}, headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 422 and 'value="2025-12-04"' in html
        assert "már rögzítve van a 2025. december 3. alkalomnál" in html
    assert client.post(url, data={name: "2025-12-03"}).status_code == 303  # that very day
    assert client.post(url, data={name: "2025-11-21"}).status_code == 303
    # Back in the group later (the same membership, a new day): the earlier stint's workshop
    # does not hold the day back, nor does a cancelled one.
    membership = db.session.get(Membership, membership.id)
    membership.joined_on = date(2026, 3, 1)
    cancelled = make_workshop(
        world["group_a"], date=date(2026, 3, 5), status=WorkshopStatus.CANCELLED
    )
    db.session.add(Attendance(workshop_id=cancelled.id, user_id=person.id,
                              status=AttendanceStatus.PRESENT))  # fmt: skip
    db.session.commit()
    for day in ("2026-03-01", "2026-03-06"):
        assert client.post(url, data={name: day}).status_code == 303, day
    assert client.post(url, data={name: "2025-11-21"}).status_code == 303

    membership = db.session.get(Membership, membership.id)
    membership.left_on = local_today()
    db.session.commit()
    response = client.post(url, data={name: "2025-11-01"}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "Ez a tagság már véget ért." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Membership, membership.id).joined_on == date(2025, 11, 21)


def test_a_future_joining_day_is_refused_when_adding(client, world, log_in):
    """Adding someone to a group from a day after today is refused: nobody is added."""
    from datetime import timedelta

    log_in(world["coordinator"])
    memberships = _count(Membership)
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    response = client.post(
        f"/people/{world['participant_b'].id}/memberships",
        data={"group": "alfa", "role": "participant", "joined_on": tomorrow},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "A csatlakozás napja nem lehet későbbi a mai napnál." in html
    assert f'value="{tomorrow}"' in html
    assert _count(Membership) == memberships


def test_what_belongs_to_a_membership_is_not_dropped_without_a_group(client, world, log_in):
    """An institution, settlement or joining day typed for someone invited without a group
    would be lost (they belong to a membership): refused, said at the group, kept as typed."""
    log_in(world["coordinator"])
    before = _count(User)
    person = {"family_name": "Csoport", "given_name": "Nélküli", "email": "cs.n@example.org"}
    for extra in ({"institution": "Közösségi Ház"}, {"settlement": "Ács"},
                  {"joined_on": "2025-11-03"}, {"role": "mentor"}):  # fmt: skip
        response = client.post("/people", data=person | {"group": ""} | extra)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, extra
        assert "a csoporttagsághoz tartozik" in html and f'value="{[*extra.values()][0]}"' in html
    assert _count(User) == before
    assert client.post("/people", data=person | {"group": ""}).status_code == 303
