"""The e-mails of a learner account: verify the address, a one-time sign-in link, and
confirm an address the learner added.

Built like the award and reminder mails (``issuing.mailer``): plain text and a simple HTML
part, every value escaped, links checked to be http(s), subjects on one line. The mail
``kind`` (``verify_email``, ``signin_link``, ``verify_address``) is what the outbox records.
"""

from __future__ import annotations

import html

from microcred.issuing.mailer import Mail, _a, _checked_url, _hello, _html_page, _one_line

VERIFY_KIND = "verify_email"
SIGNIN_KIND = "signin_link"
ADDRESS_KIND = "verify_address"


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


def address_mail(*, to: str, display_name: str | None, account: str, url: str, hours: int) -> Mail:
    """The e-mail to an address a learner added to their account (``account``, its own
    address), asking to confirm it (the link works for ``hours`` hours, once). Raises
    MicrocredError for a link that is not http(s)."""
    url = _checked_url(url)
    name = _name(display_name)
    account = _one_line(account)
    text = (
        f"{_hello(name)}\n\n"
        f"The microcred account {account} asked to add this e-mail address to it. Credentials "
        "issued to this address can then go into that account's wallet. If that is you, "
        "confirm it here:\n\n"
        f"{url}\n\n"
        f"The link works once, for {hours} hours. If it is not you, ignore this e-mail: "
        "nothing happens without the link.\n"
    )
    e = html.escape
    page = _html_page(
        [
            e(_hello(name)),
            e(
                f"The microcred account {account} asked to add this e-mail address to it. "
                "Credentials issued to this address can then go into that account's wallet."
            ),
            _a(url, "Confirm this address"),
            e(
                f"The link works once, for {hours} hours. If it is not you, ignore this "
                "e-mail: nothing happens without the link."
            ),
        ]
    )
    return Mail(
        to=to,
        subject="Confirm this address for your microcred account",
        text=text,
        html=page,
        kind=ADDRESS_KIND,
    )
