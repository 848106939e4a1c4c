"""Two editors on one section: no save is lost, no stale save wins (SQLite and PostgreSQL)."""

import random
import re
import threading

from sqlalchemy import select

from journal.extensions import db
from journal.models import JournalSection, SectionRevision
from tests.apps import login
from tests.factories import make_journal, make_workshop

HX = {"HX-Request": "true"}


def _version_in(html: str) -> int:
    """Return the version carried by an editor."""
    return int(re.search(r'name="version" value="(\d+)"', html).group(1))


def _stored(section_id: int) -> tuple[int, str, list[tuple[int, str]]]:
    """Return the stored version, text and revisions (version, text) of a section."""
    db.session.expire_all()
    section = db.session.get(JournalSection, section_id)
    revisions = db.session.execute(
        select(SectionRevision.version, SectionRevision.body)
        .where(SectionRevision.section_id == section_id)
        .order_by(SectionRevision.version)
    ).all()
    return section.version, section.body, [tuple(r) for r in revisions]


def test_randomized_interleavings_of_two_clients_lose_no_write(app, world):
    """100 random interleavings of reads and saves by two devices of the same mentor.

    A model of the server predicts each answer: a save based on the stored version wins
    (200, one new revision); the text already stored is a harmless repeat (200, nothing new);
    anything else is a conflict (409) that changes nothing. Every acknowledged save is in the
    revision history, in order.
    """
    workshop = make_workshop(world["group_a"])
    journal = make_journal(workshop, world["mentor_a"])
    section_id = journal.sections[1].id
    db.session.commit()
    clients = [app.test_client(), app.test_client()]
    for client in clients:
        login(client, world["mentor_a"])

    acknowledged: list[tuple[int, str]] = []
    model_version, model_text = 1, ""
    for seed in range(100):
        rng = random.Random(seed)
        known = {0: None, 1: None}  # the version each client's editor was opened at
        for step in range(rng.randint(4, 10)):
            who = rng.randrange(2)
            client = clients[who]
            if known[who] is None or rng.random() < 0.3:
                editor = client.get(f"/sections/{section_id}/edit", headers=HX)
                assert editor.status_code == 200
                known[who] = _version_in(editor.get_data(as_text=True))
                assert known[who] == model_version
                continue
            if rng.random() < 0.15 and acknowledged:
                text = model_text  # the same text again: a double submit
            else:
                text = f"seed {seed} step {step} client {who} {rng.random():.6f}"
            base = known[who]
            response = client.post(
                f"/sections/{section_id}",
                data={"body": text, "visibility": "coordination", "version": str(base)},
                headers=HX,
            )
            if text == model_text:
                assert response.status_code == 200
            elif base == model_version:
                assert response.status_code == 200, (seed, step)
                model_version += 1
                model_text = text
                acknowledged.append((model_version, text))
                known[who] = model_version
            else:
                assert response.status_code == 409, (seed, step)
                html = response.get_data(as_text=True)
                assert text in html and model_text in html  # both texts, side by side
                known[who] = _version_in(html)
        version, body, revisions = _stored(section_id)
        assert (version, body) == (model_version, model_text)
        assert revisions == acknowledged
    assert len(acknowledged) > 100


def test_simultaneous_saves_from_one_version_exactly_one_wins(app, world):
    """Threads posting from the same base at once: one 200, the others 409, one new revision."""
    workshop = make_workshop(world["group_a"])
    journal = make_journal(workshop, world["mentor_a"])
    section_id = journal.sections[2].id
    db.session.commit()
    clients = [app.test_client() for _ in range(4)]
    for client in clients:
        login(client, world["mentor_a"])

    for round_number in range(10):
        base, _, _ = _stored(section_id)
        db.session.commit()
        barrier = threading.Barrier(len(clients))
        statuses: dict[int, int] = {}

        def post(index: int, client, barrier=barrier, base=base, n=round_number, statuses=statuses):
            barrier.wait()
            response = client.post(
                f"/sections/{section_id}",
                data={
                    "body": f"round {n} writer {index}",
                    "visibility": "coordination",
                    "version": str(base),
                },
                headers=HX,
            )
            statuses[index] = response.status_code

        threads = [threading.Thread(target=post, args=(i, c)) for i, c in enumerate(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses.values()) == [200, 409, 409, 409], statuses
        winner = next(i for i, status in statuses.items() if status == 200)
        version, body, revisions = _stored(section_id)
        assert version == base + 1
        assert body == f"round {round_number} writer {winner}"
        assert revisions[-1] == (base + 1, body)
