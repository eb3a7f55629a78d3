"""Money helpers: Decimal only, quantized to the cent with ROUND_HALF_UP at the edges."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
NBSP = "\u00a0"
NARROW_NBSP = "\u202f"


def to_cents(value: Decimal) -> Decimal:
    """Round half-up to the cent (the French public accounting convention)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_amount(raw: object) -> Decimal:
    """Parse a positive amount with at most two decimals from a string, int or Decimal.

    Floats are accepted only when they convert exactly to a two-decimal amount (JSON numbers
    arrive as floats); anything else raises ValueError with a French message.
    """
    if isinstance(raw, bool) or raw is None:
        raise ValueError("montant absent ou invalide")
    if isinstance(raw, float):
        raw = repr(raw)
    if isinstance(raw, int | Decimal):
        raw = str(raw)
    if not isinstance(raw, str):
        raise ValueError("montant invalide")
    text = raw.strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"montant illisible : « {raw} »") from None
    if not value.is_finite():
        raise ValueError(f"montant illisible : « {raw} »")
    if value < 0:
        raise ValueError(f"montant négatif : « {raw} »")
    # The range first: quantizing a huge value (1e400) overflows the decimal context.
    if value >= Decimal("1e12"):
        raise ValueError(f"montant hors limites : « {raw} »")
    if value != value.quantize(CENT):
        raise ValueError(f"plus de deux décimales : « {raw} »")
    return value.quantize(CENT)


def format_eur(value: Decimal) -> str:
    """French display: 32 940,00 € (narrow no-break space as thousands separator)."""
    sign = "-" if value < 0 else ""
    units, cents = f"{abs(to_cents(value)):.2f}".split(".")
    groups = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    return sign + NARROW_NBSP.join(groups) + "," + cents + NBSP + "€"
