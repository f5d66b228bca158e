"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the email tests, and the app set to use it."""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

SITE = "https://careloop.example.org"


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def parsed(self):
        return [
            (rcpt, email.message_from_bytes(raw, policy=email.policy.default))
            for _sender, rcpt, raw in self.messages
        ]


def text(msg) -> str:
    """The message's body as the reader sees it (SMTP carries CRLF line ends)."""
    return msg.get_content().replace("\r\n", "\n")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app):
    """A local SMTP server, and the app configured to send through it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=controller.port,
        MAIL_USE_TLS=False,
        MAIL_FROM="careloop@brightwater.example",
        PUBLIC_URL=SITE + "/",
    )
    yield inbox
    controller.stop()
