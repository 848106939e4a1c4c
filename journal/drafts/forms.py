"""Draft helpers for the editors' forms: a form's fields as a draft keeps them, and the user's
unsaved draft put back into a freshly opened form."""

from flask_login import current_user

from journal.drafts import operations, queries


def form_fields(form, names: tuple[str, ...]) -> dict:
    """Return the form's fields `names` as a draft keeps them: a check box as true or false,
    any other field as its text ("" when empty)."""
    return {n: v if isinstance(v := form[n].data, bool) else v or "" for n in names}


def with_draft(form, key: str, names: tuple[str, ...] = ()) -> dict | None:
    """Put the user's unsaved draft (its text, and its fields `names`) into a freshly opened
    form; return the values shown before ("Elvetés" goes back to them), or None when there was
    nothing to restore."""
    draft = queries.draft_for(current_user, key)
    if draft is None:
        return None
    # Shown (or the same as saved): this form may replace it.
    form.draft.data = operations.stamp(draft)
    saved = {"body": form.body.data or "", "fields": form_fields(form, names)}
    saved["base_version"] = form.version.data
    fields = {k: v for k, v in queries.draft_fields(draft).items() if k in names}
    shown = saved["fields"] | {
        k: bool(v) if isinstance(saved["fields"][k], bool) else str(v) for k, v in fields.items()
    }
    if draft.body == saved["body"] and shown == saved["fields"]:
        return None
    form.body.data = draft.body
    for name, value in shown.items():
        form[name].data = value
    if draft.base_version is not None and form.version.data:
        # A save over a version written since answers 409 with both texts.
        form.version.data = str(draft.base_version)
    return {"saved": saved}
