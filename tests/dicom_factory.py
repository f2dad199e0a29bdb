"""DICOM files for the tests, written with pydicom: one factory for loader, report, privacy and robustness tests.

Imported as a plain module (``tests/`` is on sys.path through its conftest).
"""
from __future__ import annotations

import io

import numpy as np
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, RLELossless, generate_uid

OPHTHALMIC_PHOTOGRAPHY_8BIT = "1.2.840.10008.5.1.4.1.1.77.1.5.1"

#: A fictitious patient and study, in DICOM keywords.
DOE_JANE = {
    "PatientName": "Doe^Jane", "PatientID": "PID-12345", "PatientSex": "F", "PatientBirthDate": "19600101",
    "StudyDate": "20260102", "ImageLaterality": "L", "Manufacturer": "Acme", "ManufacturerModelName": "Fundus 3000",
}


def dicom_dataset(pixels: np.ndarray, photometric: str = "RGB", *, bits: int = 8, frames: int = 1,
                  modality: str = "OP", patient: dict[str, str] | None = None, syntax: str = ExplicitVRLittleEndian,
                  pixel_data: bytes | None = None, charset: str | None = None) -> FileDataset:
    """An ophthalmic photograph dataset holding ``pixels`` ((frames,) H, W (, 3)).

    ``syntax``: RLE compresses the pixels; any other UID is only declared (pair it with
    ``pixel_data`` to store bytes as they are, for example a broken JPEG stream).
    """
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = OPHTHALMIC_PHOTOGRAPHY_8BIT
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset("x.dcm", {}, file_meta=meta, preamble=b"\0" * 128)
    if charset:
        ds.SpecificCharacterSet = charset  # before the names it encodes
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = modality
    samples = 3 if photometric.startswith(("RGB", "YBR")) else 1
    shape = pixels.shape[1:] if frames > 1 else pixels.shape
    ds.Rows, ds.Columns = shape[:2]
    ds.SamplesPerPixel = samples
    ds.PhotometricInterpretation = photometric
    if samples == 3:
        ds.PlanarConfiguration = 0
    ds.BitsAllocated = 16 if bits > 8 else 8
    ds.BitsStored = bits
    ds.HighBit = bits - 1
    ds.PixelRepresentation = 0
    if frames > 1:
        ds.NumberOfFrames = frames
    for keyword, value in (patient or {}).items():
        setattr(ds, keyword, value)
    ds.PixelData = np.ascontiguousarray(pixels).tobytes()
    if syntax == RLELossless:
        ds.compress(RLELossless)
    elif syntax != ExplicitVRLittleEndian:
        ds.file_meta.TransferSyntaxUID = syntax
    if pixel_data is not None:
        ds.PixelData = pixel_data
        ds["PixelData"].VR = "OB"
    return ds


def dicom_bytes(pixels: np.ndarray, photometric: str = "RGB", **kwargs: object) -> bytes:
    """The file bytes of :func:`dicom_dataset` (same arguments)."""
    buf = io.BytesIO()
    dicom_dataset(pixels, photometric, **kwargs).save_as(buf, enforce_file_format=True)  # type: ignore[arg-type]
    return buf.getvalue()
