"""What to say when the database answers an error instead of rows.

A database that exists but lacks a migration (a table or a column the code reads is missing) is
told apart from one that cannot be reached, because the fix differs: `manage.py migrate` (or
`make setup`), not a server to start. Asked on the error path only.
"""

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

NOT_MIGRATED = "La base de données n'est pas à jour : lancez make setup (ou manage.py migrate)."

# PostgreSQL's SQLSTATE for undefined_table and undefined_column; SQLite says it in words.
_MISSING_SQLSTATES = frozenset({"42P01", "42703"})
_MISSING_SQLITE = ("no such table", "no such column", "has no column named")


def _names_missing_schema(exc: BaseException) -> bool:
    """Whether the error says a table or a column does not exist."""
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in _MISSING_SQLSTATES:
        return True
    return any(words in str(exc) for words in _MISSING_SQLITE)


def migrations_pending(exc: BaseException, *, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether `exc` comes of migrations left to apply: it names a missing table or column, and
    the migration plan is not empty. When the plan cannot be read (on PostgreSQL the failed query
    has aborted the transaction it ran in), the error's own words decide."""
    if not _names_missing_schema(exc):
        return False
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connections[using])
        return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except DatabaseError:
        return True
