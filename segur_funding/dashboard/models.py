"""No table of its own: the statistics are computed from the other apps' rows (see selectors).

`ProgrammeStatistics` is an unmanaged model so that the admin lists the statistics page among
its sections, for ANS and ASP reviewers, with its own view permission.
"""

from django.db import models


class ProgrammeStatistics(models.Model):
    class Meta:
        managed = False
        default_permissions = ("view",)
        verbose_name = "statistiques du programme"
        verbose_name_plural = "statistiques du programme"

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
