"""Developer tools run with `python -m segur_funding.tools.<name>` (not a Django app)."""
