"""Funding API: editors file the advance and the balance (with the invoice) and answer an
"à modifier"; ASP reviewers read every request and validate, send back, refuse or record the
payment, through the same services as the admin.

Editors' querysets start from their organisations (another editor's request answers 404); the
amounts are computed by the services, never sent by the client.
"""

from .asp import AspFundingRequestViewSet
from .editor import EditorFundingRequestViewSet

__all__ = ["AspFundingRequestViewSet", "EditorFundingRequestViewSet"]
