"""mentors_by_group lists the same mentors as the group page: current and active only."""

from journal.extensions import db
from journal.groups.queries import current_members, mentors_by_group
from journal.models import Role
from tests.factories import make_group, make_membership, make_user


def test_mentors_by_group_leaves_out_deactivated_mentors(app):
    """A deactivated mentor is on neither the group page nor the overview and report lists."""
    group = make_group()
    active = make_user(password=None, family_name="Aktív")
    gone = make_user(password=None, family_name="Kilépett", active=False)
    make_membership(active, group, Role.MENTOR)
    make_membership(gone, group, Role.MENTOR)
    db.session.commit()
    assert [m.user for m in current_members(group)[0]] == [active]
    assert mentors_by_group([group]) == {group.id: [active]}
