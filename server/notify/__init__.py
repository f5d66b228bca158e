"""Email from Careloop: plain-text mail over SMTP, and the opt-in daily digest.

Rule: no email ever holds personal data of people supported (no concern text, no finding
text, no names or record references of residents). Email leaves Careloop's access control
and audit trail and sits in mailboxes Careloop cannot erase, so it carries only counts,
links and the recipient's own name; the details stay behind the login.
"""

from server.common.mail import MailError, mail_configured, send_mail
from server.notify.digest import send_digests

__all__ = ["MailError", "mail_configured", "send_digests", "send_mail"]
