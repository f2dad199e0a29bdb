"""Write the image files the bundle smoke test decodes (run from the repository root).

    .venv/bin/python packaging/testdata/make_testdata.py

The pixels are the bundled HRF sample (resources/samples/hrf_01_h.jpg, CC BY 4.0) reduced 8x, so
the files are small and carry no patient data (the DICOM patient fields are synthetic). Each file
needs a different decoder in the frozen application: pylibjpeg-openjpeg (JPEG 2000 DICOM),
pylibjpeg-rle (RLE DICOM), pylibjpeg-libjpeg (JPEG-baseline DICOM), Pillow's libtiff (LZW TIFF)
and 16-bit PNG; packaging/smoke.sh segments all of them with the bundled executable. The files are
kept in git so the smoke test needs no Python; rerun this only to change them.
"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import JPEG2000Lossless, JPEGBaseline8Bit, RLELossless, SecondaryCaptureImageStorage, generate_uid

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parents[1] / "resources" / "samples" / "hrf_01_h.jpg"


def _dataset(rgb: np.ndarray, photometric: str = "RGB") -> FileDataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = "1.2.840.10008.1.2.1"  # explicit VR little endian, replaced by compress()
    ds = FileDataset("", {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.Modality = "OP"  # ophthalmic photography
    ds.PatientName, ds.PatientID = "Smoke^Test", "SMOKE-0001"  # synthetic, not a person
    ds.Rows, ds.Columns = rgb.shape[:2]
    ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PlanarConfiguration = 3, photometric, 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.PixelData = rgb.tobytes()
    return ds


def main() -> None:
    img = Image.open(SAMPLE).convert("RGB")
    img = img.resize((img.width // 8, img.height // 8), Image.LANCZOS)
    rgb = np.ascontiguousarray(np.asarray(img, dtype=np.uint8))

    for syntax, name in ((JPEG2000Lossless, "hrf_01_h_j2k.dcm"), (RLELossless, "hrf_01_h_rle.dcm")):
        ds = _dataset(rgb)
        ds.compress(syntax)
        ds.save_as(HERE / name, enforce_file_format=True)

    # JPEG baseline: Pillow's encoder (YCbCr 4:2:0), encapsulated as DICOM does it.
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=92)
    ds = _dataset(rgb, photometric="YBR_FULL_422")
    ds.file_meta.TransferSyntaxUID = JPEGBaseline8Bit
    ds.PixelData = encapsulate([buf.getvalue()])
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    ds.LossyImageCompression = "01"
    ds.save_as(HERE / "hrf_01_h_jpeg.dcm", enforce_file_format=True)

    # raster formats the desktop entry and the installer associate: TIFF (LZW, through libtiff), 16-bit PNG
    img.save(HERE / "hrf_01_h_lzw.tif", compression="tiff_lzw")
    Image.fromarray(rgb[:, :, 1].astype(np.uint16) * 257).save(HERE / "hrf_01_h_16bit.png")

    for path in sorted(p for p in HERE.iterdir() if p.suffix in (".dcm", ".tif", ".png")):
        print(f"{path.name}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
