"""Actions the smoke test performs as the production code would, in a process with the smoke
settings (``python -m comptoir.core.tests.smoke.driver COMMAND …``); prints one JSON line.

  login EMAIL…                create the users, log them in; prints their session cookies
  email TO SUBJECT BODY       enqueue an e-mail in the outbox, in a transaction (sent after commit)
  burst SWEEP N               send N run_sweep_task messages at once (duplicate deliveries)"""

from __future__ import annotations

import json
import os
import sys


def main(argv: list[str]) -> dict[str, object]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.core.tests.smoke.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction

    command, *args = argv
    if command == "login":
        from django.contrib.auth import get_user_model
        from django.test import Client

        cookies = {}
        for email in args:
            user = get_user_model().objects.create_user(email=email, password="smoke-pass-1")
            client = Client()
            client.force_login(user)
            cookies[email] = client.cookies[settings.SESSION_COOKIE_NAME].value
        return {"cookies": cookies}
    if command == "email":
        from comptoir.core.outbox import email_enqueue

        to, subject, body = args
        with transaction.atomic(durable=True):
            message = email_enqueue(to=[to], subject=subject, body_text=body)
        return {"outbox_id": message.pk}
    if command == "burst":
        from comptoir.core.tasks import run_sweep_task

        name, count = args
        for _ in range(int(count)):
            run_sweep_task.delay(name)
        return {"sent": int(count)}
    raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])), flush=True)
