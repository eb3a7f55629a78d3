"""Quote numbers: D-<year>-<sequence>, one series per editor and year (core.numbering)."""

from segur_funding.core.numbering import number_next

from .models import Quote, QuoteOrigin


def quote_number_next(*, editor_id: int, year: int) -> str:
    """The editor's next free quote number for `year` (skips numbers typed in by hand)."""
    prefix = f"D-{year}-"
    web_quotes = Quote.objects.filter(editor_id=editor_id, origin=QuoteOrigin.WEB)

    def floor() -> int:
        # The editor's numbers of that year handed out before the counter existed.
        suffixes = web_quotes.filter(number__startswith=prefix).values_list("number", flat=True)
        return max((int(n[len(prefix):]) for n in suffixes if n[len(prefix):].isdigit()), default=0)

    while True:
        number = f"{prefix}{number_next(scope=f'quote:{editor_id}', year=year, floor=floor):04d}"
        if not web_quotes.filter(number=number).exists():
            return number
