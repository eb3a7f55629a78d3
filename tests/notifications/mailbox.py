"""A mail backend for the real-worker tests: each accepted message becomes a file.

The directory is $SEGUR_TEST_MAILBOX. Files the test drops there steer the "SMTP server":
- `hold`: a send announces itself (`started-<notification id>`) and waits until the file is
  gone, so that the test can kill the worker in the middle of a send;
- `down`: the server refuses every message (smtplib.SMTPServerDisconnected), recording each
  refusal (`refused-<id>-<n>`).
A delivered message is `sent-<notification id>-<unique>.eml`: counting them per id tells how many
times the person actually received it.
"""

import os
import smtplib
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

HOLD_MAX_SECONDS = 120


class DirectoryMailBackend(BaseEmailBackend):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.root = Path(os.environ["SEGUR_TEST_MAILBOX"])

    def send_messages(self, email_messages):
        for message in email_messages:
            notification_id = message.extra_headers.get("X-Segur-Notification", "none")
            (self.root / f"started-{notification_id}").touch()
            deadline = time.monotonic() + HOLD_MAX_SECONDS
            while (self.root / "hold").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            if (self.root / "down").exists():
                (self.root / f"refused-{notification_id}-{uuid.uuid4().hex}").touch()
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            target = self.root / f"sent-{notification_id}-{uuid.uuid4().hex}.eml"
            target.write_bytes(message.message().as_bytes())
        return len(email_messages)
