"""A real SMTP server for tests (aiosmtpd) that keeps what the app mails."""

import socket
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

PUBLIC_URL = "https://muhely.example.org"


class Inbox:
    """An aiosmtpd handler that keeps every mail it accepts, or refuses every recipient."""

    def __init__(self, refuse: bool = False):
        """Start with an empty inbox."""
        self.refuse = refuse
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        """Accept the recipient, or refuse it like a server that will not relay."""
        if self.refuse:
            return "550 5.7.1 Relaying denied"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        """Keep the mail."""
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, email: str) -> list:
        """Return the mails addressed to this address."""
        return [m for m in self.messages if m["To"] == email]


def mail_text(mail) -> str:
    """Return a received mail's text with plain line ends."""
    return mail.get_content().replace("\r\n", "\n")


def free_port() -> int:
    """Return a local port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(app, handler: Inbox):
    """Start an SMTP server with the handler and point the app's mail settings at it."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=controller.port,
        MAIL_USE_TLS=False,
        PUBLIC_URL=PUBLIC_URL,
    )
    return controller
