"""The quote checker: does a quote leave the client nothing to pay for the Prestation Ségur?

Sources (seed, ANS presentation to medical biology labs):
- slide "Principes d'obtention du financement SONS": the quote respects the tier's maximum and
  includes a line « montant de la Prestation Ségur pris en charge par l'Etat au titre du Ségur »;
  the 120-day rule; signature by 15 July 2022;
- slide "Barème de financement à l'équipement": caps per tier (data, see referential);
- slide "Périmètre de la Prestation Ségur": what it covers (rights to use the referenced version,
  installation, configuration, qualification, paramétrage, 6 years of maintenance, training,
  documents, project follow-up), what it never covers (non-referenced solutions, MSSanté
  mailboxes, complete change of solution or catch-up of an obsolete version, additional
  infrastructure: servers, DBMS migration), and « il ne doit pas y avoir de reste à charge »;
  it may not be conditioned on a re-engagement nor on a new contractual option;
- slide "Bonnes pratiques": the mention of orders placed before referencing; the non-conform
  examples (remainder on maintenance, no distinction, several DSRs on one line, offer conditioned
  on modules or options, SUN-ES confusion).

Wording tests run on a normalised text (see `normalise`): lowercase ASCII words separated by one
space, so accents, case, apostrophe style, punctuation and spacing never matter. The keyword
heuristics (Prestation items billed out of scope, excluded items in the Ségur part, conditional
offers) are documented where they are defined; each is tuned to miss rather than to accuse a
legitimate line, because a false "non conforme" sends a lab back to its editor for nothing.

Pure: no ORM, no settings, no I/O; the date of the check is an argument.
"""

from .check import check_quote
from .text import normalise

__all__ = ["check_quote", "normalise"]
