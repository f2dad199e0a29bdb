"""The one image loader: real benchmark files, DICOM variants written here, and bad input."""
from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pydicom
import pytest
from dicom_factory import DOE_JANE, dicom_dataset
from PIL import Image
from pydicom.dataset import FileDataset
from pydicom.uid import JPEG2000Lossless, RLELossless

from fundus_app import ImageLoadError, load_image
from fundus_app.io.loader import load_mask

# --- real files --------------------------------------------------------------------------


def test_drive_tif_loads_as_rgb8(data: Path) -> None:
    image = load_image(data / "DRIVE" / "training" / "images" / "21_training.tif")
    assert image.rgb.shape == (584, 565, 3) and image.rgb.dtype == np.uint8
    assert image.fov.shape == (584, 565) and 0.6 < image.fov.mean() < 0.8


def test_stare_ppm_and_label(data: Path) -> None:
    image = load_image(data / "STARE" / "images" / "im0001.ppm")
    label = load_mask(data / "STARE" / "labels-ah" / "im0001.ah.ppm")
    assert image.shape == (605, 700) and label.shape == (605, 700)
    assert 0.05 < label.mean() < 0.2  # vessels are a minority of pixels


def test_drive_second_manual_palette_gif_thresholds_correctly(data: Path) -> None:
    second = load_mask(data / "DRIVE" / "test" / "2nd_manual" / "01_manual2.gif")
    first = load_mask(data / "DRIVE" / "test" / "1st_manual" / "01_manual1.gif")
    assert 0.05 < second.mean() < 0.2
    assert (second & first).sum() > 0.6 * first.sum()  # two observers largely agree


def test_sample_jpeg() -> None:
    image = load_image(Path(__file__).parents[3] / "resources" / "samples" / "hrf_01_h.jpg")
    assert image.shape == (2336, 3504)


# --- raster variants ---------------------------------------------------------------------


def _save(tmp_path: Path, name: str, img: Image.Image, **kw) -> Path:
    path = tmp_path / name
    img.save(path, **kw)
    return path


def test_raster_variants(tmp_path: Path, synthetic_fundus: np.ndarray) -> None:
    rgb = synthetic_fundus
    grey16 = (rgb[:, :, 0].astype(np.uint16) * 257)
    cases = {
        "a.png": Image.fromarray(rgb),
        "a.jpg": Image.fromarray(rgb),
        "a.tif": Image.fromarray(rgb),
        "a.gif": Image.fromarray(rgb).convert("P"),
        "a.ppm": Image.fromarray(rgb),
        "a.bmp": Image.fromarray(rgb),
        "rgba.png": Image.fromarray(np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])),
        "grey.png": Image.fromarray(rgb[:, :, 0]),
        "grey16.png": Image.fromarray(grey16),
        "grey16.tif": Image.fromarray(grey16),
        "cmyk.jpg": Image.fromarray(rgb).convert("CMYK"),
    }
    for name, img in cases.items():
        image = load_image(_save(tmp_path, name, img))
        assert image.rgb.shape == (*rgb.shape[:2], 3) and image.rgb.dtype == np.uint8, name
        # the bright disc is found in every encoding
        assert 0.4 < image.fov.mean() < 0.7, name
    g16 = load_image(tmp_path / "grey16.png")
    assert g16.meta["bit_depth"] == 16
    assert np.abs(g16.rgb[:, :, 0].astype(int) - rgb[:, :, 0]).max() <= 1  # 16 -> 8 bit keeps values


def test_wrong_extension_still_loads(tmp_path: Path, synthetic_fundus: np.ndarray) -> None:
    path = tmp_path / "really_a_png.jpg"
    Image.fromarray(synthetic_fundus).save(path, format="PNG")
    assert load_image(path).shape == synthetic_fundus.shape[:2]


def test_non_ascii_path(tmp_path: Path, synthetic_fundus: np.ndarray) -> None:
    folder = tmp_path / "眼底 图像"
    folder.mkdir()
    path = folder / "患者 左眼.png"
    Image.fromarray(synthetic_fundus).save(path)
    assert load_image(path).shape == synthetic_fundus.shape[:2]


# --- DICOM written with pydicom ------------------------------------------------------------


def _dicom(pixels: np.ndarray, photometric: str, *, bits: int = 8, frames: int = 1, patient: bool = False,
           modality: str = "OP") -> FileDataset:
    return dicom_dataset(pixels, photometric, bits=bits, frames=frames, modality=modality,
                         patient=DOE_JANE if patient else None)


def test_dicom_rgb_with_patient_data(tmp_path: Path, synthetic_fundus: np.ndarray) -> None:
    path = tmp_path / "eye.dcm"
    _dicom(synthetic_fundus, "RGB", patient=True).save_as(path, enforce_file_format=True)
    image = load_image(path)
    assert np.array_equal(image.rgb, synthetic_fundus)
    m = image.meta
    assert (m["patient_name"], m["patient_id"], m["patient_sex"], m["patient_birth_date"]) == \
        ("Doe Jane", "PID-12345", "F", "19600101")
    assert (m["study_date"], m["laterality"], m["manufacturer"], m["model"]) == ("20260102", "L", "Acme", "Fundus 3000")


def test_dicom_16bit_monochrome2_and_monochrome1(tmp_path: Path, synthetic_fundus: np.ndarray) -> None:
    grey = synthetic_fundus[:, :, 0].astype(np.uint16) * 16  # 12 bits stored
    _dicom(grey, "MONOCHROME2", bits=12).save_as(tmp_path / "m2.dcm", enforce_file_format=True)
    _dicom(4095 - grey, "MONOCHROME1", bits=12).save_as(tmp_path / "m1.dcm", enforce_file_format=True)
    m2, m1 = load_image(tmp_path / "m2.dcm"), load_image(tmp_path / "m1.dcm")
    assert np.abs(m2.rgb[:, :, 1].astype(int) - synthetic_fundus[:, :, 0]).max() <= 2
    assert np.abs(m1.rgb.astype(int) - m2.rgb.astype(int)).max() <= 1  # MONOCHROME1 is inverted back


def test_dicom_compressed_transfer_syntaxes(tmp_path: Path, synthetic_fundus: np.ndarray) -> None:
    for syntax in (RLELossless, JPEG2000Lossless):
        ds = _dicom(synthetic_fundus, "RGB")
        ds.compress(syntax)
        path = tmp_path / f"{syntax.name}.dcm"
        ds.save_as(path, enforce_file_format=True)
        image = load_image(path)
        assert np.abs(image.rgb.astype(int) - synthetic_fundus).max() <= 1, syntax.name
        assert image.meta["transfer_syntax"] == syntax.name


def test_dicom_ybr_full(tmp_path: Path, synthetic_fundus: np.ndarray) -> None:
    from pydicom.pixels import convert_color_space

    ybr = convert_color_space(synthetic_fundus, "RGB", "YBR_FULL")
    _dicom(ybr, "YBR_FULL").save_as(tmp_path / "ybr.dcm", enforce_file_format=True)
    image = load_image(tmp_path / "ybr.dcm")
    assert np.abs(image.rgb.astype(int) - synthetic_fundus).max() <= 3


def test_dicom_multiframe_uses_first_frame_with_warning(tmp_path: Path, synthetic_fundus: np.ndarray) -> None:
    frames = np.stack([synthetic_fundus, 255 - synthetic_fundus])
    ds = _dicom(frames, "RGB", frames=2)
    ds.Rows, ds.Columns = synthetic_fundus.shape[:2]
    ds.save_as(tmp_path / "mf.dcm", enforce_file_format=True)
    image = load_image(tmp_path / "mf.dcm")
    assert np.array_equal(image.rgb, synthetic_fundus)
    assert "first frame" in image.meta["warning"]


def test_dicom_without_pixel_data(tmp_path: Path, synthetic_fundus: np.ndarray) -> None:
    ds = _dicom(synthetic_fundus, "RGB")
    del ds.PixelData
    ds.save_as(tmp_path / "empty.dcm", enforce_file_format=True)
    with pytest.raises(ImageLoadError, match="no pixel data"):
        load_image(tmp_path / "empty.dcm")


# --- bad input -----------------------------------------------------------------------------


def _png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    # a header claiming width x height and a tiny compressed stream: a decompression bomb
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("name, content, reason", [
    ("empty.png", b"", "empty"),
    ("text.png", b"hello, this is not an image\n" * 10, "not an image"),
    ("random.jpg", bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8)), "not an image"),
    ("bomb.png", _png_header(50000, 50000), "too large"),
    ("tiny.png", None, "too small"),
    ("truncated.png", "truncate", "corrupt"),
    ("fake.dcm", b"\0" * 128 + b"DICM" + b"\x02\x00\x10\x00garbage", ""),
])
def test_bad_files_raise_one_clear_error(
    tmp_path: Path, synthetic_fundus: np.ndarray, name: str, content, reason: str
) -> None:
    path = tmp_path / name
    if content is None:
        Image.fromarray(np.zeros((16, 16, 3), np.uint8)).save(path)
    elif content == "truncate":
        buf = io.BytesIO()
        Image.fromarray(synthetic_fundus).save(buf, format="PNG")
        path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    else:
        path.write_bytes(content)
    with pytest.raises(ImageLoadError) as info:
        load_image(path)
    message = str(info.value)
    assert name in message and reason in message
    assert "\n" not in message


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ImageLoadError, match="does not exist"):
        load_image(tmp_path / "nope.png")
    with pytest.raises(ImageLoadError):
        load_image(tmp_path)


def test_pydicom_reads_what_we_wrote(tmp_path: Path, synthetic_fundus: np.ndarray) -> None:
    """Guards the helper above: the test DICOMs are valid for pydicom itself."""
    _dicom(synthetic_fundus, "RGB").save_as(tmp_path / "ok.dcm", enforce_file_format=True)
    assert pydicom.dcmread(tmp_path / "ok.dcm").pixel_array.shape == synthetic_fundus.shape
