"""Referencing API: editors' solutions and dossiers (candidature, proofs), ANS instruction, and
the public list of referenced solutions.

Querysets start from the selectors scoped to the user's editors: another editor's dossier answers
404 like one that does not exist. Every move is a POST command calling the same service as the
web page or the admin, so a refusal carries the same French message.
"""

from .ans import AnsDossierViewSet
from .editor import EditorDossierViewSet, SolutionViewSet
from .public import ReferencedSolutionViewSet

__all__ = ["AnsDossierViewSet", "EditorDossierViewSet", "ReferencedSolutionViewSet", "SolutionViewSet"]
