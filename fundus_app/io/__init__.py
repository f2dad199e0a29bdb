"""Image loading: the one entry point for every file the application reads."""
from fundus_app.io.loader import MAX_PIXELS, SUPPORTED_SUFFIXES, load_image, load_label_map, load_mask

__all__ = ["MAX_PIXELS", "SUPPORTED_SUFFIXES", "load_image", "load_label_map", "load_mask"]
