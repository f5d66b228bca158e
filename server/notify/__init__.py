"""Email from Careloop: plain-text mail over SMTP, and the opt-in daily digest.

Rule: no email ever holds personal data of people supported (no concern text, no finding
text, no names or record references of residents). Email leaves Careloop's access control
and audit trail and sits in mailboxes Careloop cannot erase, so it carries only counts,
links and the recipient's own name; the details stay behind the login.
"""

from server.notify.digest import send_digests
from server.notify.mail import MailError, mail_configured, send_mail

__all__ = ["MailError", "mail_configured", "send_digests", "send_mail"]
