"""Anatomy of the fundus beyond the vessels: the optic disc (``anatomy.disc``). Torch-free run time."""
from fundus_app.anatomy.disc import DiscLocator, estimate_eye

__all__ = ["DiscLocator", "estimate_eye"]
