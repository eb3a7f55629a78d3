"""The funding panel of a quote's editor page and API (advance and balance, what may be filed).

Funding computes it (`funding.selectors.quote_funding_summary`) and registers it here from its
`AppConfig.ready`: quotes sit below funding in the layers (a funding request is filed on a
signed quote) and import nothing of it.
"""

from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured

from .models import Quote


class FundingSummaryOf(Protocol):
    def __call__(self, *, quote: Quote) -> Any: ...


_PROVIDERS: dict[str, FundingSummaryOf] = {}


def funding_summary_register(provider: FundingSummaryOf) -> None:
    _PROVIDERS["funding"] = provider


def quote_funding_summary(*, quote: Quote) -> Any:
    """Funding's summary of the quote (`funding.selectors.QuoteFunding`)."""
    try:
        provider = _PROVIDERS["funding"]
    except KeyError:
        raise ImproperlyConfigured(
            "L'application funding n'a pas enregistré le résumé de financement d'un devis."
        ) from None
    return provider(quote=quote)
