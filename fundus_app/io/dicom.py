"""DICOM decoding through pydicom (+ pylibjpeg for compressed transfer syntaxes).

Steps follow pydicom's own split: check the transfer syntax, decode, then the
photometric conversion as a separate pure step. Patient fields go into
``meta`` for the report only; they are never logged.
"""
from __future__ import annotations

import io
from typing import Any

import numpy as np

from fundus_app.errors import ImageLoadError


def _text(ds: Any, keyword: str) -> str | None:
    value = ds.get(keyword, None)
    if value is None or value == "":
        return None
    return str(value).strip() or None


def _metadata(ds: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"format": "DICOM"}
    fields = {
        "patient_name": "PatientName",
        "patient_id": "PatientID",
        "patient_sex": "PatientSex",
        "patient_birth_date": "PatientBirthDate",
        "study_date": "StudyDate",
        "study_description": "StudyDescription",
        "modality": "Modality",
        "manufacturer": "Manufacturer",
        "model": "ManufacturerModelName",
    }
    for key, keyword in fields.items():
        try:
            value = _text(ds, keyword)
        except Exception:  # a malformed tag must not make the image unreadable
            value = None
        if value is not None:
            meta[key] = value.replace("^", " ").strip() if key == "patient_name" else value
    for keyword in ("ImageLaterality", "Laterality"):
        try:
            lat = _text(ds, keyword)
        except Exception:
            lat = None
        if lat:
            meta["laterality"] = lat
            break
    try:
        spacing = ds.get("PixelSpacing", None) or ds.get("ImagerPixelSpacing", None)
        if spacing is not None and len(spacing) == 2:
            meta["pixel_spacing_mm"] = (float(spacing[0]), float(spacing[1]))
    except Exception:
        pass
    return meta


def decode(data: bytes, *, max_pixels: int) -> tuple[np.ndarray, dict[str, Any]]:
    """Decode DICOM bytes to (H, W) or (H, W, 3) RGB pixels plus metadata."""
    import pydicom
    from pydicom.errors import InvalidDicomError

    try:
        ds = pydicom.dcmread(io.BytesIO(data), force=True)
    except InvalidDicomError:
        raise ImageLoadError("it is not a valid DICOM file") from None
    if "PixelData" not in ds and "FloatPixelData" not in ds and "DoubleFloatPixelData" not in ds:
        raise ImageLoadError("the DICOM file contains no image (no pixel data)")
    meta = _metadata(ds)
    try:
        rows, cols = int(ds.Rows), int(ds.Columns)
    except (AttributeError, TypeError, ValueError):
        raise ImageLoadError("the DICOM file lacks valid Rows/Columns") from None
    if rows * cols > max_pixels:
        raise ImageLoadError(f"the image is too large ({cols}x{rows} pixels)")
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    if frames > 1:
        meta["warning"] = f"multi-frame DICOM ({frames} frames): only the first frame is used"
    ts = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
    meta["transfer_syntax"] = ts.name if ts is not None else "unknown"
    try:
        # index=0 decodes only the first frame; pydicom converts YBR to RGB itself.
        pixels = pydicom.pixels.pixel_array(ds, index=0 if frames > 1 else None)
    except (NotImplementedError, RuntimeError) as exc:
        name = meta["transfer_syntax"]
        raise ImageLoadError(f"its transfer syntax '{name}' cannot be decoded ({exc})".split("\n")[0]) from None
    photometric = str(ds.get("PhotometricInterpretation", "MONOCHROME2")).strip().upper()
    meta["photometric"] = photometric
    bits = int(ds.get("BitsStored", 8) or 8)
    meta["bits_stored"] = bits
    meta["bit_depth"] = bits
    pixels = np.asarray(pixels)
    if pixels.ndim == 3 and frames > 1 and pixels.shape[0] == frames:
        pixels = pixels[0]
    if photometric == "PALETTE COLOR":
        from pydicom.pixels import apply_color_lut

        pixels = apply_color_lut(pixels, ds)
        meta["bits_stored"] = 16 if pixels.dtype == np.uint16 else 8
    elif np.issubdtype(pixels.dtype, np.signedinteger):
        # Signed data: shift to unsigned so the full range maps onto 0..255.
        pixels = (pixels.astype(np.int32) + 2 ** (bits - 1)).clip(0, 2**bits - 1).astype(np.uint16)
    if photometric == "MONOCHROME1":  # inverted grey: high values are dark
        top = 2**bits - 1 if np.issubdtype(pixels.dtype, np.integer) else float(pixels.max())
        pixels = (top - pixels.astype(np.int64)).clip(0, None).astype(pixels.dtype)
    return pixels, meta
