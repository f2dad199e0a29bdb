"""Exception types. Every message is one human sentence that names the file."""
from __future__ import annotations


class FundusError(Exception):
    """Base class for errors shown to the user as one sentence."""


class ImageLoadError(FundusError):
    """An input file could not be read as a fundus image."""


class ModelError(FundusError):
    """A checkpoint is missing, tampered with or incompatible."""


class Cancelled(FundusError):
    """A long job stopped because its ``should_cancel`` callback asked it to."""
