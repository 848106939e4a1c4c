"""The demo program with a journal to write in, for the autosave benchmark and browser tests.

Kept free of test-only imports (Playwright, pytest) so bench/autosave.py can use it too.
"""

import socket
import time
from datetime import date

DEMO_PASSWORD = "muhelynaplo"
TATA_MENTOR = "szabo.csaba@example.org"


def seed_tata_journal(app, password: str = DEMO_PASSWORD) -> list[int]:
    """Create the tables, seed the demo program and start the journal of group tata's mentor
    on the group's first held workshop without one (one is added if the demo has none);
    return the journal's section ids, in order."""
    from sqlalchemy import select

    from journal.demo import seed_demo
    from journal.extensions import db
    from journal.journals.operations import start_journal
    from journal.models import Group, User, Workshop, WorkshopStatus

    with app.app_context():
        db.create_all()
        seed_demo(password)
        group = db.session.scalar(select(Group).where(Group.slug == "tata"))
        mentor = db.session.scalar(select(User).where(User.email == TATA_MENTOR))
        # The first held workshop whose journal is still to be written: a draft to start.
        workshop = db.session.scalar(
            select(Workshop)
            .where(
                Workshop.group_id == group.id,
                Workshop.status == WorkshopStatus.HELD,
                ~Workshop.journal.has(),
            )
            .order_by(Workshop.date)
        )
        if workshop is None:
            workshop = Workshop(
                group=group,
                date=date(2025, 11, 14),
                topic="Közösségi terek a településen",
                place="Művelődési Ház",
                status=WorkshopStatus.HELD,
            )
            db.session.add(workshop)
            db.session.flush()
        journal = start_journal(mentor, workshop)
        db.session.commit()
        sections = [s.id for s in journal.sections]
        db.session.remove()
        return sections


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    """Wait until something listens on 127.0.0.1:port; raise OSError after the timeout."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
