"""User-facing errors: each message says what is wrong and what to do, and is shown as is."""


class InputError(ValueError):
    """Bad input from the user (file, column, parameter). The UI shows it; the CLI exits 2."""
