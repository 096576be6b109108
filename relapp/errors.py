"""Errors a user can cause or fix. Each carries one sentence fit to show as it is."""


class RelappError(Exception):
    """A problem the user can understand and act on; its str() is the whole message."""


class DatabaseError(RelappError):
    """The database file cannot be used as it is."""


class DatabaseTooNew(DatabaseError):
    """The file was written by a newer Relapp whose schema this version does not know."""


class NotARelappDatabase(DatabaseError):
    """The file is damaged, is not SQLite, or is another program's SQLite database."""


class DatabaseBusy(DatabaseError):
    """Another program holds a lock on the file for longer than the busy timeout."""


class DatabaseReadOnly(DatabaseError):
    """The file (or its folder) may be read but not written by this user: nothing was saved."""


class DatabaseUnavailable(DatabaseError):
    """The file or its folder cannot be opened or created (missing, read-only, no space)."""


class ServerNotAnswering(DatabaseUnavailable):
    """The shop server could not be reached (down, the network cut, the connection lost),
    as opposed to one that answered and refused (a wrong password, no such database): only
    this lets a till keep its sales to send later."""


EXCERPT_LENGTH = 60


def excerpt(text: str, limit: int = EXCERPT_LENGTH) -> str:
    """What a person typed, quoted for a message and cut to limit characters with an ellipsis:
    a sentence about a 100,000-character cell must not repeat the cell."""
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


class SmokeTestFailure(Exception):
    """A check of `relapp --smoke-test` did not hold (the installed app cannot work as it
    is); the message says which. Not a RelappError: it is for whoever installs the app."""


class UnknownShop(RelappError):
    """A till named a shop (branch) that the shop server does not have."""
