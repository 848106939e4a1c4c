"""The one place that decides between a full page and an htmx fragment."""

from flask import Response, flash, make_response, redirect, render_template, request


def is_htmx() -> bool:
    """Tell whether the request was sent by htmx (boosted or not)."""
    return request.headers.get("HX-Request") == "true"


def wants_fragment() -> bool:
    """Tell whether to answer with a fragment: htmx, not boosted, not a history restore."""
    return (
        is_htmx()
        and request.headers.get("HX-Boosted") != "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render(page: str, fragment: str | None = None, status: int = 200, **context) -> Response:
    """Render the fragment for htmx requests and the whole page otherwise."""
    template = fragment if fragment and wants_fragment() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def retargeted(fragment: str, target: str, swap: str, status: int = 200, **context) -> Response:
    """Answer an htmx request with a fragment for another element than the one that asked."""
    response = make_response(render_template(fragment, **context), status)
    response.headers["HX-Retarget"] = target
    response.headers["HX-Reswap"] = swap
    response.vary.add("HX-Request")
    return response


def message_fragment(message: str, status: int, category: str = "error") -> Response:
    """Answer an htmx request with a message shown in the page's message area.

    The response is retargeted, so an error can never replace the element (or the text the
    user was typing) that sent the request.
    """
    return retargeted(
        "_messages.html", "#messages", "innerHTML", status, messages=[(category, message)]
    )


def refused(message: str, status: int, url: str) -> Response:
    """Answer a refused action: the message for htmx (never replacing the user's editor), else
    303 to `url` with the message flashed."""
    if wants_fragment():
        return message_fragment(message, status)
    flash(message, "error")
    return redirect(url, 303)


def after_action(fragment: str, redirect_to: str, **context) -> Response:
    """Answer a successful form POST: the updated fragment for htmx, else 303 to the page."""
    if wants_fragment():
        response = make_response(render_template(fragment, **context))
        response.vary.add("HX-Request")
        return response
    return redirect(redirect_to, 303)
