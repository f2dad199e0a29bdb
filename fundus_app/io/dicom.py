"""DICOM decoding through pydicom (+ pylibjpeg for compressed transfer syntaxes).

Steps follow pydicom's own split: check the transfer syntax, decode, then the
photometric conversion as a separate pure step. Patient fields go into
``meta`` for the report only; they are never logged.

Robustness rules (docs/robustness.md):

* The header is checked before any pixel is decoded: Rows/Columns/frames/samples/bits
  must be sane, the image must fit ``max_pixels``, native pixel data must hold at
  least what the header declares, a compressed frame may not declare a larger
  image than the header (JPEG SOF / JPEG 2000 SIZ), and a deflated dataset is
  inflated with a size cap. Each failure is one sentence without patient data.
* pydicom's own diagnostics quote element values: with a corrupt length on the
  Transfer Syntax UID, its "Invalid value for VR UI: '...'" warning prints the
  elements that follow, patient name included. So value validation on reading is
  off, warnings raised while decoding are dropped, and the ``pydicom`` logger does
  not propagate to the application's logs. Our own messages quote a header value
  only when it matches its VR's character set (``_quote``).
"""
from __future__ import annotations

import io
import logging
import re
import struct
import warnings
import zlib
from typing import Any

import numpy as np
import pydicom
from pydicom import config as _pydicom_config

from fundus_app.errors import ImageLoadError

# Privacy: no element value may reach a log or stderr through pydicom's warnings.
_pydicom_config.settings.reading_validation_mode = _pydicom_config.IGNORE
_pydicom_logger = logging.getLogger("pydicom")
_pydicom_logger.propagate = False
if not _pydicom_logger.handlers:
    _pydicom_logger.addHandler(logging.NullHandler())

log = logging.getLogger(__name__)

DEFLATED_TS = "1.2.840.10008.1.2.1.99"
#: Modalities a fundus photograph is filed under without a warning.
FUNDUS_MODALITIES = frozenset({"OP", "XC", "OT"})
PHOTOMETRICS = frozenset({
    "MONOCHROME1", "MONOCHROME2", "PALETTE COLOR", "RGB", "YBR_FULL", "YBR_FULL_422",
    "YBR_PARTIAL_420", "YBR_PARTIAL_422", "YBR_ICT", "YBR_RCT",
})
_ONE_SAMPLE = frozenset({"MONOCHROME1", "MONOCHROME2", "PALETTE COLOR"})
#: Largest header element we trust when parsing group 0002 by hand.
_META_MAX = 1 << 16
_LONG_VRS = (b"OB", b"OW", b"OF", b"SQ", b"UT", b"UN", b"UC", b"UR")
_CS = re.compile(r"[A-Z0-9 _]{1,16}")
_UI = re.compile(r"[0-9.]{1,64}")


def _quote(value: object, pattern: re.Pattern[str]) -> str | None:
    """A header value fit to quote in a message, or None.

    Only values that match their VR's character set are quoted: an element whose
    length field is corrupt swallows the elements after it, and those include the
    patient's name (a Modality of "CT\\x00\\x10\\x00\\x10PN..Doe^Jane").
    """
    text = str(value).strip()
    return text if pattern.fullmatch(text) else None


def _text(ds: Any, keyword: str) -> str | None:
    value = ds.get(keyword, None)
    if value is None or value == "":
        return None
    if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue":
        value = "\\".join(str(v) for v in value)
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


def add_warning(meta: dict[str, Any], text: str) -> None:
    """Append one warning sentence to ``meta["warning"]`` (a string the GUI shows as is)."""
    meta["warning"] = f"{meta['warning']}; {text}" if meta.get("warning") else text


def _header_int(ds: Any, keyword: str, default: int | None = None) -> int:
    """An integer header field; a missing, empty or garbage value is a clear error."""
    try:
        value = ds.get(keyword, None)
        if value is None or value == "":
            if default is None:
                raise ValueError
            return default
        if isinstance(value, (bytes, bytearray)):
            raise ValueError
        return int(value)
    except Exception:
        raise ImageLoadError(f"its DICOM header has a missing or invalid {keyword}") from None


def _scan_file_meta(data: bytes) -> tuple[str | None, int]:
    """(Transfer Syntax UID, offset of the dataset body) parsed by hand from group 0002.

    Group 0002 is always explicit VR little endian after the 128-byte preamble and
    ``DICM``. Returns (None, 0) when there is no such header or it cannot be parsed.
    """
    if data[128:132] != b"DICM":
        return None, 0
    ts: str | None = None
    off = 132
    try:
        while off + 8 <= len(data):
            group, elem = struct.unpack_from("<HH", data, off)
            if group != 0x0002:
                break
            if data[off + 4:off + 6] in _LONG_VRS:
                (length,) = struct.unpack_from("<I", data, off + 8)
                start = off + 12
            else:
                (length,) = struct.unpack_from("<H", data, off + 6)
                start = off + 8
            if length > _META_MAX:
                return None, 0
            if elem == 0x0010:
                ts = data[start:start + length].rstrip(b"\0 ").decode("ascii", "replace")
            off = start + length
    except struct.error:
        return None, 0
    return ts, off


def _check_deflated(data: bytes, max_bytes: int) -> None:
    """Refuse a deflated dataset that inflates beyond ``max_bytes`` (pydicom inflates without a cap)."""
    ts, body = _scan_file_meta(data)
    if ts != DEFLATED_TS:
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        inflater.decompress(data[body:], max_bytes)
    except zlib.error:
        raise ImageLoadError("its deflated DICOM data are corrupt") from None
    if inflater.unconsumed_tail:
        raise ImageLoadError(f"its deflated DICOM data inflate to more than {max_bytes // 2**20} MB")


def _codestream_size(frame: bytes) -> tuple[int, int] | None:
    """(rows, columns) a JPEG, JPEG-LS or JPEG 2000 codestream declares, or None if not found."""
    k = frame.find(b"\xff\x4f\xff\x51", 0, 4096)  # JPEG 2000: SOC then SIZ (maybe inside a JP2 box)
    if k >= 0 and len(frame) >= k + 24:
        xsiz, ysiz, xo, yo = struct.unpack_from(">IIII", frame, k + 8)
        return max(0, ysiz - yo), max(0, xsiz - xo)
    if frame[:2] != b"\xff\xd8":
        return None
    off = 2
    while off + 9 <= len(frame) and off < 1 << 20:
        if frame[off] != 0xFF:
            return None
        marker = frame[off + 1]
        if marker == 0xFF:  # fill byte
            off += 1
            continue
        if (0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC)) or marker == 0xF7:
            return struct.unpack_from(">HH", frame, off + 5)
        (length,) = struct.unpack_from(">H", frame, off + 2)
        off += 2 + length
    return None


def _transfer_syntax(ds: Any) -> Any:
    """The dataset's transfer syntax; inferred from its encoding when the file meta lacks one."""
    from pydicom.uid import UID, ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

    file_meta = getattr(ds, "file_meta", None)
    ts = file_meta.get("TransferSyntaxUID", None) if file_meta is not None else None
    if ts:
        return UID(str(ts))
    implicit, little = getattr(ds, "original_encoding", (True, True))
    if implicit is None:
        implicit = True
    if implicit:
        ts = ImplicitVRLittleEndian
    else:
        ts = ExplicitVRLittleEndian if little is not False else ExplicitVRBigEndian
    if file_meta is None:
        from pydicom.dataset import FileMetaDataset

        ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ts
    return ts


def decode(data: bytes, *, max_pixels: int, max_bytes: int = 512 * 2**20) -> tuple[np.ndarray, dict[str, Any]]:
    """Decode DICOM bytes to (H, W) or (H, W, 3) pixels plus metadata.

    Only the first frame of a multi-frame file is decoded. Raises ImageLoadError
    (a reason without the file name, which the caller adds) for anything unusable.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydicom warns about odd headers; our errors say what matters
        return _decode(data, max_pixels=max_pixels, max_bytes=max_bytes)


def _decode(data: bytes, *, max_pixels: int, max_bytes: int) -> tuple[np.ndarray, dict[str, Any]]:
    from pydicom.errors import InvalidDicomError
    from pydicom.pixels import get_decoder

    _check_deflated(data, max_bytes)
    try:
        ds = pydicom.dcmread(io.BytesIO(data), force=True)
    except InvalidDicomError:
        raise ImageLoadError("it is not a valid DICOM file") from None
    except MemoryError:
        raise
    except Exception as exc:
        log.debug("dcmread failed: %s", type(exc).__name__)
        raise ImageLoadError("its DICOM header is corrupt or truncated") from None
    try:
        has_pixels = any(k in ds for k in ("PixelData", "FloatPixelData", "DoubleFloatPixelData"))
    except Exception:
        has_pixels = False
    if not has_pixels:
        if b"\xe0\x7f\x10\x00" in data[132:] or b"\x7f\xe0\x00\x10" in data[132:]:
            # the tag is there but pydicom could not read the element: cut off or broken
            raise ImageLoadError("its DICOM data are corrupt or truncated (the pixel data cannot be read)")
        raise ImageLoadError("the DICOM file contains no image (no pixel data)")
    meta = _metadata(ds)

    # --- the image pixel module, checked before decoding --------------------------------------
    rows, cols = _header_int(ds, "Rows"), _header_int(ds, "Columns")
    if rows < 1 or cols < 1:
        raise ImageLoadError(f"its DICOM header declares an empty image ({cols}x{rows} pixels)")
    if rows * cols > max_pixels:
        raise ImageLoadError(f"the image is too large ({cols}x{rows} pixels, "
                             f"limit {max_pixels // 1_000_000} megapixels)")
    frames = _header_int(ds, "NumberOfFrames", default=1)
    if frames < 1:
        raise ImageLoadError(f"its DICOM header declares {frames} frames")
    samples = _header_int(ds, "SamplesPerPixel", default=1)
    if samples not in (1, 3):
        raise ImageLoadError(f"it has {samples} samples per pixel, expected 1 or 3")
    bits_allocated = _header_int(ds, "BitsAllocated")
    if bits_allocated not in (1, 8, 16, 32, 64):
        raise ImageLoadError(f"its BitsAllocated value {bits_allocated} is not supported")
    bits = _header_int(ds, "BitsStored", default=bits_allocated)
    if not 1 <= bits <= bits_allocated:
        raise ImageLoadError(f"its BitsStored value {bits} does not fit BitsAllocated {bits_allocated}")
    if _header_int(ds, "PixelRepresentation", default=0) not in (0, 1):
        raise ImageLoadError("its DICOM header has an invalid PixelRepresentation")
    try:
        raw_photometric = str(ds.get("PhotometricInterpretation", "") or "").strip()
    except Exception:
        raw_photometric = "?"
    photometric = raw_photometric.upper() or ("MONOCHROME2" if samples == 1 else "RGB")
    if photometric not in PHOTOMETRICS:
        quoted = _quote(raw_photometric, _CS)
        raise ImageLoadError(f"its photometric interpretation '{quoted}' is not supported" if quoted
                             else "its photometric interpretation is malformed")
    if (samples == 1) != (photometric in _ONE_SAMPLE):
        raise ImageLoadError(f"its photometric interpretation {photometric} does not match {samples} samples per pixel")
    meta["photometric"] = photometric
    meta["bits_stored"] = bits
    meta["bit_depth"] = bits

    modality = str(meta.get("modality", "")).strip()
    if modality and modality.upper() not in FUNDUS_MODALITIES:
        quoted = _quote(modality, _CS)
        if quoted is None:
            meta.pop("modality", None)  # a corrupt value may hold the next elements (patient data)
        add_warning(meta, f"modality {quoted or '(malformed)'} is not ophthalmic photography; "
                          "the vessel model was trained on fundus photographs")
    if frames > 1:
        add_warning(meta, f"multi-frame DICOM ({frames} frames): only the first frame is used")

    # --- transfer syntax ------------------------------------------------------------------------
    try:
        ts = _transfer_syntax(ds)
    except Exception:
        raise ImageLoadError("its transfer syntax cannot be determined") from None
    if _quote(ts, _UI) is None:
        raise ImageLoadError("its transfer syntax UID is malformed")
    ts_name = ts.name  # the registered name, or the UID itself (digits and dots only)
    meta["transfer_syntax"] = ts_name
    try:
        decoder = get_decoder(ts)
    except (NotImplementedError, ValueError):
        raise ImageLoadError(f"its transfer syntax '{ts_name}' is not supported") from None
    if not decoder.is_available:
        raise ImageLoadError(f"its transfer syntax '{ts_name}' needs a decoder that is not installed")

    if decoder.is_native:
        if "PixelData" in ds:
            try:
                stored = len(ds.PixelData)
            except Exception:
                raise ImageLoadError("its pixel data cannot be read") from None
            per_frame = rows * cols * samples
            if photometric == "YBR_FULL_422":
                per_frame = per_frame * 2 // 3
            expected = (per_frame * bits_allocated * frames + 7) // 8
            if stored < expected:
                raise ImageLoadError(f"its pixel data are truncated ({stored} of {expected} bytes)")
    else:
        try:
            from pydicom.encaps import get_frame

            first = get_frame(ds.PixelData, 0, number_of_frames=frames)
        except Exception:
            raise ImageLoadError(f"its compressed pixel data ({ts_name}) are corrupt") from None
        size = _codestream_size(first)
        if size is not None and (size[0] > rows or size[1] > cols):
            raise ImageLoadError(f"its compressed frame ({size[1]}x{size[0]} pixels) is larger than the "
                                 f"DICOM header declares ({cols}x{rows})")

    # --- decode ------------------------------------------------------------------------------------
    try:
        # index=0 decodes only the first frame; pydicom converts YBR to RGB itself.
        pixels = pydicom.pixels.pixel_array(ds, index=0 if frames > 1 else None)
    except MemoryError:
        raise
    except Exception as exc:
        log.debug("pixel decoding failed: %s", type(exc).__name__)
        if decoder.is_native:
            raise ImageLoadError("its pixel data do not match the DICOM header") from None
        raise ImageLoadError(f"its compressed pixel data ({ts_name}) cannot be decoded") from None
    pixels = np.asarray(pixels)
    if pixels.ndim == 3 and frames > 1 and pixels.shape[0] == frames:
        pixels = pixels[0]
    if pixels.shape[:2] != (rows, cols):
        raise ImageLoadError(f"its decoded image ({pixels.shape[1]}x{pixels.shape[0]}) does not match "
                             f"the DICOM header ({cols}x{rows})")
    if photometric == "PALETTE COLOR":
        from pydicom.pixels import apply_color_lut

        try:
            pixels = apply_color_lut(pixels, ds)
        except Exception:
            raise ImageLoadError("its colour palette is missing or invalid") from None
        meta["bits_stored"] = 16 if pixels.dtype == np.uint16 else 8
    elif np.issubdtype(pixels.dtype, np.signedinteger):
        # Signed data: shift to unsigned so the full range maps onto 0..255.
        top = 2**bits - 1
        shifted = np.clip(pixels.astype(np.int64) + 2 ** (bits - 1), 0, top)
        pixels = shifted.astype(np.uint16 if bits <= 16 else np.uint32)
    if photometric == "MONOCHROME1":  # inverted grey: high values are dark
        if np.issubdtype(pixels.dtype, np.integer):
            top = min(2**bits - 1, int(np.iinfo(pixels.dtype).max))
            pixels = (top - np.minimum(pixels, top)).astype(pixels.dtype)
        else:
            pixels = float(np.nanmax(pixels)) - pixels
    return pixels, meta
