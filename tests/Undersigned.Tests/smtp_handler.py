"""The tests' SMTP server: a maildir that, like a hardened relay, refuses what real ones refuse.

- A greeting (EHLO or HELO) whose name is not fully qualified: 504 5.5.2 at RCPT TO, as postfix's
  reject_non_fqdn_helo_hostname does (its restrictions wait for RCPT by default, smtpd_delay_reject).
- Any recipient at refused.example, or at a subdomain of it, is refused for good (550 5.1.1, as for an unknown user).
- Any recipient at later.example is refused for now (450, as a greylisting server does).
- Any recipient at norelay.example: relaying denied (554 5.7.1), the relay's own refusal, not the recipient's (unless
  SMTP_RELAY_ALLOWED is set: the relay's operator fixed it).
Everything else is delivered to the maildir.
"""
import os

from aiosmtpd.handlers import Mailbox


def fully_qualified(name):
    name = name.strip('[]')
    return '.' in name and not name.endswith('.')


class Refusing(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if not fully_qualified(session.host_name or ''):
            return f'504 5.5.2 <{session.host_name}>: Helo command rejected: need fully-qualified hostname'
        domain = address.rsplit('@', 1)[-1].lower()
        if domain == 'refused.example' or domain.endswith('.refused.example'):
            return '550 5.1.1 No such user here'
        if domain == 'later.example':
            return '450 4.2.0 Try again later'
        if domain == 'norelay.example' and not os.environ.get('SMTP_RELAY_ALLOWED'):
            return '554 5.7.1 Relay access denied'
        envelope.rcpt_tos.append(address)
        return '250 OK'
