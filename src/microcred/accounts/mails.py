"""The two e-mails of a learner account: verify the address, and a one-time sign-in link.

Built like the award and reminder mails (``issuing.mailer``): plain text and a simple HTML
part, every value escaped, links checked to be http(s), subjects on one line. The mail
``kind`` (``verify_email``, ``signin_link``) is what the outbox records.
"""

from __future__ import annotations

import html

from microcred.issuing.mailer import Mail, _a, _checked_url, _hello, _html_page, _one_line

VERIFY_KIND = "verify_email"
SIGNIN_KIND = "signin_link"


def _name(display_name: str | None) -> str | None:
    return _one_line(display_name) if display_name else None


def verify_mail(*, to: str, display_name: str | None, url: str, hours: int) -> Mail:
    """The e-mail asking a new learner to confirm their address (the link works for
    ``hours`` hours, once). Raises MicrocredError for a link that is not http(s)."""
    url = _checked_url(url)
    name = _name(display_name)
    text = (
        f"{_hello(name)}\n\n"
        "Please confirm that this is your e-mail address for your microcred account:\n\n"
        f"{url}\n\n"
        f"The link works once, for {hours} hours. If you did not create an account, ignore "
        "this e-mail: nothing happens without the link.\n"
    )
    e = html.escape
    page = _html_page(
        [
            e(_hello(name)),
            "Please confirm that this is your e-mail address for your microcred account.",
            _a(url, "Confirm my e-mail address"),
            e(
                f"The link works once, for {hours} hours. If you did not create an account, "
                "ignore this e-mail: nothing happens without the link."
            ),
        ]
    )
    return Mail(
        to=to, subject="Confirm your e-mail address", text=text, html=page, kind=VERIFY_KIND
    )


def signin_mail(*, to: str, display_name: str | None, url: str, minutes: int) -> Mail:
    """The e-mail carrying a one-time sign-in link (valid ``minutes`` minutes). Raises
    MicrocredError for a link that is not http(s)."""
    url = _checked_url(url)
    name = _name(display_name)
    text = (
        f"{_hello(name)}\n\n"
        "Someone (we hope you) asked to sign in to your microcred account with a link. "
        "Open it to sign in:\n\n"
        f"{url}\n\n"
        f"The link works once, for {minutes} minutes. If you did not ask for it, ignore this "
        "e-mail: nobody can sign in without it.\n"
    )
    e = html.escape
    page = _html_page(
        [
            e(_hello(name)),
            "Someone (we hope you) asked to sign in to your microcred account with a link.",
            _a(url, "Sign in to microcred"),
            e(
                f"The link works once, for {minutes} minutes. If you did not ask for it, "
                "ignore this e-mail: nobody can sign in without it."
            ),
        ]
    )
    return Mail(to=to, subject="Your sign-in link", text=text, html=page, kind=SIGNIN_KIND)
