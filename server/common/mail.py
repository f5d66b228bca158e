"""Send plain-text email over SMTP with the standard library, when SMTP is configured.

Settings (server/config.py, from the environment): MAIL_SERVER (unset: no email at all),
MAIL_PORT, MAIL_USE_TLS (STARTTLS), MAIL_USERNAME, MAIL_PASSWORD, MAIL_FROM.
"""

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app


class MailError(Exception):
    """The mail server could not be reached or refused the message."""


def mail_configured() -> bool:
    """Say whether this server may send email (MAIL_SERVER is set)."""
    return bool(current_app.config.get("MAIL_SERVER"))


def message(to: str, subject: str, body: str) -> EmailMessage:
    """Build a plain-text message from MAIL_FROM to ``to``."""
    sender = current_app.config["MAIL_FROM"]
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(body)
    return msg


@contextmanager
def smtp_connection() -> Iterator[smtplib.SMTP]:
    """Open one SMTP session (STARTTLS and login when configured) for several messages."""
    config = current_app.config
    try:
        smtp = smtplib.SMTP(
            config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=config.get("MAIL_TIMEOUT", 30)
        )
    except OSError as exc:
        raise MailError(
            f"The mail server {config['MAIL_SERVER']}:{config['MAIL_PORT']} "
            f"cannot be reached: {exc}."
        ) from exc
    try:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        yield smtp
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(f"The mail server refused: {exc}.") from exc
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send one plain-text email; return False, sending nothing, when SMTP is not configured.

    Raises MailError when the mail server cannot be reached or refuses the message. Never
    put personal data of people supported in ``subject`` or ``body`` (server.notify).
    """
    if not mail_configured():
        return False
    with smtp_connection() as smtp:
        smtp.send_message(message(to, subject, body))
    return True
