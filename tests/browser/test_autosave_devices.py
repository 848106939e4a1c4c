"""One draft, two devices, at phone width in Chromium; "Elvetés" that can be undone; the red
box of a dropped connection that goes once the draft is saved.

The mentor (Szabó Csaba, group `tata`) is logged in in two browser contexts: a "laptop" that
opened a section's editor and left it, and a "phone" that writes later. Drafts are one per
user and section, so the two share it; neither may silently replace the other's text.
"""

import re
from pathlib import Path

import pytest

pytest.importorskip("playwright")

from playwright.sync_api import expect  # noqa: E402

from tests.browser.harness import PASSWORD, serving  # noqa: E402
from tests.browser.test_autosave import (  # noqa: E402
    EDITING,
    PHONE_CONTEXT,
    draft_body,
    live_config,
    log_in,
    open_editor,
    section_body,
    wait_for,
)
from tests.demo_site import seed_tata_journal  # noqa: E402

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
SAVED = "Piszkozat mentve"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """A live server (threaded, in this process) and the ids of tata's journal sections."""
    from journal import create_app

    path = tmp_path_factory.mktemp("autosave-devices") / "live.sqlite"
    app = create_app(live_config(path))
    sections = seed_tata_journal(app, PASSWORD)
    with serving(app) as base:
        yield {"app": app, "base": base, "sections": sections}


@pytest.fixture
def device(browser, live):
    """Return a function that opens a new phone-sized context logged in as the mentor."""
    contexts = []

    def open_device():
        context = browser.new_context(**PHONE_CONTEXT)
        contexts.append(context)
        page = context.new_page()
        log_in(page, live["base"])
        return page

    yield open_device
    for context in contexts:
        context.close()


def shot(page, name: str) -> None:
    """Save a full-page screenshot into tests/artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True, caret="initial")


def test_a_laptop_left_open_does_not_delete_the_draft_written_later_on_the_phone(device, live):
    section_id = live["sections"][0]
    saved_before = section_body(live["app"], section_id)
    laptop = device()
    laptop_box = open_editor(laptop, live["base"], section_id)

    phone = device()
    phone_box = open_editor(phone, live["base"], section_id)
    paragraph = "A telefonon írt bekezdés: a csoport a helyi fiatalok bevonásáról beszélt."
    phone_box.fill(paragraph)
    expect(phone.locator(f"#section-{section_id} [data-autosave-status]")).to_contain_text(
        SAVED, timeout=10_000
    )
    phone.close(run_before_unload=True)
    assert draft_body(live["app"], section_id) == paragraph

    sentence = "A laptopon írt mondat."
    laptop_box.fill(sentence)
    # Its autosave does not overwrite the phone's draft: it offers it instead.
    offer = laptop.locator(f"#section-{section_id} [data-autosave-notice]")
    expect(offer).to_contain_text("Egy másik eszközön", timeout=10_000)
    expect(offer.get_by_role("button", name="Mindkét szöveg megtekintése")).to_be_visible()
    assert draft_body(live["app"], section_id) == paragraph
    shot(laptop, "autosave-newer-offer-phone")

    laptop.click(f"#section-{section_id} .actions button[type=submit]")  # "Mentés"
    expect(laptop.locator(f"#theirs-{section_id}")).to_have_value(paragraph)
    expect(laptop.locator(f"#body-{section_id}")).to_have_value(sentence)
    expect(laptop.locator(f"#section-{section_id} [role=alert]").first).to_contain_text(
        "egy másik eszközön"
    )
    assert section_body(live["app"], section_id) == saved_before
    assert draft_body(live["app"], section_id) == paragraph
    shot(laptop, "autosave-newer-conflict-phone")

    merged = paragraph + "\n\n" + sentence
    laptop.fill(f"#body-{section_id}", merged)
    laptop.click(f"#section-{section_id} button[type=submit]")
    expect(laptop.locator(f"#section-{section_id}")).not_to_have_class(EDITING)
    assert section_body(live["app"], section_id) == merged
    assert wait_for(lambda: draft_body(live["app"], section_id) is None)


def test_the_offer_shows_both_texts_without_saving(device, live):
    section_id = live["sections"][1]
    saved_before = section_body(live["app"], section_id)
    laptop = device()
    laptop_box = open_editor(laptop, live["base"], section_id)
    phone = device()
    open_editor(phone, live["base"], section_id).fill("A telefon szövege.")
    expect(phone.locator(f"#section-{section_id} [data-autosave-status]")).to_contain_text(
        SAVED, timeout=10_000
    )
    laptop_box.fill("A laptop szövege.")
    laptop.get_by_role("button", name="Mindkét szöveg megtekintése").click(timeout=10_000)
    expect(laptop.locator(f"#theirs-{section_id}")).to_have_value("A telefon szövege.")
    expect(laptop.locator(f"#body-{section_id}")).to_have_value("A laptop szövege.")
    assert section_body(live["app"], section_id) == saved_before
    assert draft_body(live["app"], section_id) == "A telefon szövege."
    # Where the section is read, the surviving draft is mentioned too.
    laptop.goto(f"{live['base']}/sections/{section_id}")
    expect(laptop.locator(f"#section-{section_id} .draft-hint")).to_contain_text(
        "el nem mentett piszkozata"
    )
    shot(laptop, "autosave-newer-read-phone")


def _tab_stops_from_text_to_save(page, section_id: int) -> list[str]:
    """Press Tab from the text until "Mentés" has focus; return what was focused between."""
    page.focus(f"#body-{section_id}")
    stops = []
    for _ in range(15):
        page.keyboard.press("Tab")
        label = page.evaluate("document.activeElement.textContent.trim()")
        if label == "Mentés":
            return stops
        stops.append(label)
    raise AssertionError(f"Mentés was not reached: {stops}")


def test_discarding_a_restored_text_can_be_undone(device, live):
    """The phone's draft is put back (by the server) when the laptop opens the editor;
    "Elvetés" asks nothing, and "Visszavonás" brings back all it threw away."""
    section_id = live["sections"][2]
    phone = device()
    box = open_editor(phone, live["base"], section_id)
    original = box.input_value()
    box.fill("Visszaállított szöveg.")
    expect(phone.locator(f"#section-{section_id} [data-autosave-status]")).to_contain_text(
        SAVED, timeout=10_000
    )

    page = device()
    box = open_editor(page, live["base"], section_id)
    expect(page.locator(f"#section-{section_id} [data-autosave-notice]")).to_contain_text(
        "Visszaállítottuk a nem mentett szövegét"
    )
    expect(box).to_have_value("Visszaállított szöveg.")
    typed = "Visszaállított szöveg. Utána írt mondat."
    box.fill(typed)
    assert "Elvetés" not in _tab_stops_from_text_to_save(page, section_id)

    page.get_by_role("button", name="Elvetés").click()  # nothing is asked
    expect(box).to_have_value(original)
    undo = page.get_by_role("button", name="Visszavonás")
    expect(undo).to_be_focused()
    assert "Visszavonás" not in _tab_stops_from_text_to_save(page, section_id)
    undo.focus()
    shot(page, "autosave-discard-undo-phone")

    undo.click()
    expect(box).to_have_value(typed)
    expect(box).to_be_focused()
    assert wait_for(lambda: draft_body(live["app"], section_id) == typed)


def test_the_red_box_of_a_dropped_connection_goes_once_the_draft_is_saved(device, live):
    section_id = live["sections"][3]
    page = device()
    box = open_editor(page, live["base"], section_id)
    text = "Kapcsolat nélkül mentett szöveg."
    box.fill(text)
    page.context.set_offline(True)
    page.click(f"#section-{section_id} button[type=submit]")
    alert = page.locator(f"#section-{section_id} [data-autosave-alert]")
    expect(alert).to_contain_text("A mentés nem sikerült")
    page.context.set_offline(False)
    assert wait_for(lambda: draft_body(live["app"], section_id) == text)
    expect(page.locator(f"#section-{section_id} [data-autosave-status]")).to_contain_text(SAVED)
    # The red box gives way to a calm one: the draft is kept, "Mentés" still has to be pressed.
    expect(alert).not_to_contain_text("A mentés nem sikerült")
    expect(alert).not_to_have_class(re.compile("message-error"))
    expect(alert).to_contain_text("A kapcsolat helyreállt")
    expect(box).to_have_value(text)
