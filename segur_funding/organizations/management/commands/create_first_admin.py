"""The first administrator of a new deployment (`make deploy`): asked for in the terminal.

Django's createsuperuser, with two differences: nothing happens once an administrator exists
(the deployment can be replayed), and a demo address (@demo.test) is refused. Without a terminal,
DJANGO_SUPERUSER_EMAIL and DJANGO_SUPERUSER_PASSWORD give the account; without either, the
command fails rather than leave a deployment nobody can administer.
"""

import os

from django.contrib.auth.management.commands import createsuperuser
from django.core.management.base import CommandError

from segur_funding.organizations.demo import demo_user_filter
from segur_funding.organizations.models import User
from segur_funding.organizations.rules import login_identifier_problem


class Command(createsuperuser.Command):
    help = "Crée le premier administrateur (interactif), jamais un compte de démonstration."

    def handle(self, *args, **options):
        admins = User.objects.filter(is_superuser=True, is_active=True).exclude(demo_user_filter())
        existing = admins.order_by("pk").first()
        if existing is not None:
            self.stdout.write(f"Un administrateur existe déjà ({existing.email}) : rien à créer.")
            return
        from_env = all(os.environ.get(f"DJANGO_SUPERUSER_{name}") for name in ("EMAIL", "PASSWORD"))
        in_terminal = hasattr(self.stdin, "isatty") and self.stdin.isatty()
        if options["interactive"] and not from_env and not in_terminal:
            raise CommandError(
                "Aucun administrateur : lancez `manage.py create_first_admin` dans un terminal, ou "
                "définissez DJANGO_SUPERUSER_EMAIL et DJANGO_SUPERUSER_PASSWORD."
            )
        if from_env and not in_terminal:
            options["interactive"] = False
        super().handle(*args, **options)

    # createsuperuser validates the address through this hook, both when it asks for it (and
    # asks again) and when it reads it from the environment (and stops).
    def _validate_username(self, username, verbose_field_name, database):
        problem = login_identifier_problem(username or "", demo_mode=False)
        if problem:
            return problem
        return super()._validate_username(username, verbose_field_name, database)
