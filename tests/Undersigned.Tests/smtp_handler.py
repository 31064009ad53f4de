"""The tests' SMTP server: a maildir that, like a real server, refuses some recipients.

Any address at refused.example is refused for good (550, as for an unknown user); any at later.example is refused
for now (450, as a greylisting server does). Everything else is delivered to the maildir.
"""
from aiosmtpd.handlers import Mailbox


class Refusing(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        domain = address.rsplit('@', 1)[-1].lower()
        if domain == 'refused.example':
            return '550 5.1.1 No such user here'
        if domain == 'later.example':
            return '450 4.2.0 Try again later'
        envelope.rcpt_tos.append(address)
        return '250 OK'
