"""Errors that reach the user as one line and exit code 2, never a traceback."""


class InputError(Exception):
    """The user's input (prompt, file, flag, spec) is wrong; the message says how to fix it."""


EXIT_INPUT_ERROR = 2
