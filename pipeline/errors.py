"""Errors raised by udiplo. Every message says what was expected and what to do.

Extraction errors carry the file path and a one-line reason so a batch can
record them and go on.
"""

from __future__ import annotations


class UdiploError(Exception):
    """Base class for every error udiplo raises on purpose."""


class ConfigError(UdiploError):
    """A setting has a value udiplo cannot use."""


class ExtractionError(UdiploError):
    """A file could not be turned into a Document.

    ``str(err)`` is one line: ``<path>: <reason>``.
    """

    code = "extraction_failed"

    def __init__(self, path: str, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class EmptyFileError(ExtractionError):
    code = "empty_file"


class FileTooLargeError(ExtractionError):
    code = "too_large"


class UnsupportedTypeError(ExtractionError):
    code = "unsupported_type"


class CorruptFileError(ExtractionError):
    code = "corrupt"


class HostileFileError(CorruptFileError):
    """Built to exhaust memory or time (zip bomb, XML entity expansion): refused before it can."""

    code = "hostile"


class NotRegularFileError(ExtractionError):
    """A FIFO, socket or device: never opened for reading, so ingestion cannot hang on it."""

    code = "not_a_file"


class TextTooLongError(ExtractionError):
    """The extracted text is longer than the store takes."""

    code = "text_too_long"


class EncryptedFileError(ExtractionError):
    code = "encrypted"


class NeedsOCRError(ExtractionError):
    code = "needs_ocr"


class UndecodableTextError(ExtractionError):
    code = "undecodable"


class StoreError(UdiploError):
    """The corpus store could not be opened or written."""


class ModelUnavailableError(UdiploError):
    """A model is not provisioned and cannot be fetched here."""


class AnalysisError(UdiploError):
    """An analysis step cannot run on what is stored (nothing analysed yet, stale results)."""
