"""The one preprocessing path shared by inference, training and evaluation."""
from fundus_app.preprocess.fov import estimate_fov, fov_box, fov_diameter
from fundus_app.preprocess.pipeline import (
    PreparedImage,
    PreprocessConfig,
    clahe_green,
    enhance,
    enhance_colour,
    prepare,
    rescale,
    resize_mask,
)

__all__ = [
    "PreparedImage",
    "PreprocessConfig",
    "clahe_green",
    "enhance",
    "enhance_colour",
    "estimate_fov",
    "fov_box",
    "fov_diameter",
    "prepare",
    "rescale",
    "resize_mask",
]
