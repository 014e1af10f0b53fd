"""Storage errors. Every message is one line naming the location involved.

The ones caused by what a user typed or configured (a URI, a bucket name,
credentials) are also :class:`~simfarm.errors.InputError`, so the CLI prints
them as one line and exits 2 instead of showing a traceback.
"""

from __future__ import annotations

from ..errors import InputError


class StorageError(Exception):
    """A storage operation failed; the message says what and where."""


class InvalidLocation(StorageError, InputError):
    """A URI, bucket name or key is malformed or would escape its prefix."""


class StorageConfigError(StorageError, InputError):
    """Endpoint or credentials are missing or malformed in the environment / Secret."""


class StorageAuthError(StorageError, InputError):
    """The server refused the credentials or the access; retrying cannot help."""


class ObjectNotFound(StorageError):
    """The object (or its bucket) does not exist."""


class StorageUnavailable(StorageError):
    """The server kept failing with transient errors until the retries ran out."""
