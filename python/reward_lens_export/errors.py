"""The one exception type the CLI turns into an exit code and a message."""


class ExportError(Exception):
    """A failure the user can act on. ``code`` is the process exit status (2 = bad input, 1 = failed check)."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code
