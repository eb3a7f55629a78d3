"""Plumbing tables shared by every app (no business data here)."""

from django.conf import settings
from django.db import models


class HistoryEntry(models.Model):
    """What every history row of a workflow records besides its moves: who, when, why.
    A history model inherits it and its Meta (`class Meta(HistoryEntry.Meta)`), newest last."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="par",
    )
    at = models.DateTimeField("le", auto_now_add=True)
    comment = models.TextField("commentaire", blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]


class NumberCounter(models.Model):
    """The last business number handed out in a series (`scope`, `year`), e.g. one editor's quotes
    of 2026. Read and bumped under a row lock by `core.numbering.number_next`."""

    scope = models.CharField("série", max_length=60)
    year = models.PositiveSmallIntegerField("année")
    last = models.PositiveIntegerField("dernier numéro attribué", default=0)

    class Meta:
        verbose_name = "compteur de numérotation"
        verbose_name_plural = "compteurs de numérotation"
        constraints = [models.UniqueConstraint(fields=["scope", "year"], name="number_counter_unique")]

    def __str__(self) -> str:
        return f"{self.scope} {self.year} : {self.last}"
