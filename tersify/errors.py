"""User-facing errors: the CLI prints these as one line, without a traceback."""


class TersifyError(Exception):
    """An error caused by input or configuration that the user can fix."""


class Cancelled(Exception):
    """A compression given a ``cancel`` event stopped because the event was set."""
