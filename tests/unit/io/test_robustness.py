"""Robustness corpus (issue #8): every kind of bad input the loader and ``segment`` meet.

The files are generated here. Each case ends in a valid FundusImage or in an
ImageLoadError whose message is one line naming the file, within a time bound.
docs/robustness.md lists the cases with the messages observed.
"""
from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pydicom
import pytest
from cli_runner import cli_env, run_cli
from dicom_factory import dicom_bytes
from PIL import Image
from pydicom.dataset import FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import DeflatedExplicitVRLittleEndian, JPEGBaseline8Bit, RLELossless

from fundus_app import FundusImage, ImageLoadError, load_image
from fundus_app.io import loader
from fundus_app.outputs import OutputPaths

REPO = Path(__file__).resolve().parents[3]


def _permissions_bypassed() -> bool:
    """True for root (os.geteuid() == 0) or any process with CAP_DAC_OVERRIDE: chmod cannot block it."""
    if sys.platform == "win32":
        return True
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        probe = Path(d) / "probe"
        probe.write_bytes(b"x")
        probe.chmod(0)
        try:
            probe.read_bytes()
            return True
        except PermissionError:
            return False
        finally:
            probe.chmod(0o600)


PERMISSIONS_BYPASSED = _permissions_bypassed()
#: Seconds any single load may take (generous: CI machines and a busy laptop); bombs get BOMB_SECONDS.
LOAD_SECONDS = 5.0
BOMB_SECONDS = 2.0

# --- inputs built in memory --------------------------------------------------------------------


def fundus(h: int = 200, w: int = 220) -> np.ndarray:
    """A synthetic fundus: orange disc with a brightness gradient and a dark 'vessel', black outside."""
    yy, xx = np.mgrid[:h, :w]
    disc = (yy - h / 2) ** 2 + (xx - w / 2) ** 2 < (0.45 * min(h, w)) ** 2
    rgb = np.zeros((h, w, 3), np.uint8)
    shade = (xx / w * 40).astype(np.uint8)[disc]
    rgb[disc] = np.stack([150 + shade, 70 + shade // 2, 30 + shade // 4], axis=1)
    rgb[disc & (np.abs(yy - xx) < 3)] = (110, 45, 20)
    return rgb


RGB = fundus()
GREY = RGB[:, :, 0]


def encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def png(arr: np.ndarray) -> bytes:
    return encode(Image.fromarray(arr), "PNG")


dicom = dicom_bytes  # (pixels, photometric="RGB", *, bits, frames, modality, patient, syntax, pixel_data)


def patch_element(data: bytes, group: int, element: int, vr: bytes, value: bytes, *,
                  length: int | None = None) -> bytes:
    """Rewrite a short explicit-VR element in raw DICOM bytes (to make headers no library would write)."""
    key = struct.pack("<HH", group, element)
    i = data.index(key, 132)
    (old_length,) = struct.unpack_from("<H", data, i + 6)
    declared = len(value) if length is None else length
    return data[:i] + key + vr + struct.pack("<H", declared) + value + data[i + 8 + old_length:]


def png_bomb(w: int, h: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    idat = chunk(b"IDAT", zlib.compress(b"\0" * 1000))  # far too little data for the size claimed
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + idat + chunk(b"IEND", b"")


def tiff_bomb(w: int, h: int) -> bytes:
    entries = [(256, 4, 1, w), (257, 4, 1, h), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1), (273, 4, 1, 8),
               (277, 3, 1, 1), (278, 4, 1, h), (279, 4, 1, (w * h) & 0xFFFFFFFF)]
    ifd = struct.pack("<H", len(entries)) + b"".join(struct.pack("<HHII", *e) for e in entries) + b"\0\0\0\0"
    return b"II*\0" + struct.pack("<I", 72) + b"\0" * 64 + ifd


def jpeg_bomb(w: int, h: int) -> bytes:
    data = bytearray(encode(Image.new("L", (64, 64), 128), "JPEG"))
    struct.pack_into(">HH", data, data.find(b"\xff\xc0") + 5, h, w)
    return bytes(data)


def gif_bomb(w: int, h: int) -> bytes:
    data = bytearray(encode(Image.new("P", (64, 64), 1), "GIF"))
    struct.pack_into("<HH", data, 6, w, h)
    struct.pack_into("<HH", data, data.find(b"\x2c") + 5, w, h)
    return bytes(data)


def bmp_bomb(w: int, h: int) -> bytes:
    data = bytearray(encode(Image.new("RGB", (64, 64)), "BMP"))
    struct.pack_into("<ii", data, 18, w, h)
    return bytes(data)


def pgm_bomb(w: int, h: int) -> bytes:
    return f"P5\n{w} {h}\n255\n".encode() + b"\0" * 100


def dicom_jpeg_bomb(w: int, h: int) -> bytes:
    """A 64x64 DICOM header whose JPEG frame claims w x h: the decoder would allocate the latter."""
    return dicom(np.zeros((64, 64), np.uint8), "MONOCHROME2", syntax=JPEGBaseline8Bit,
                 pixel_data=encapsulate([jpeg_bomb(w, h)]))


def fax_tiff() -> bytes:
    """An 8-bit TIFF that claims CCITT Group 3 compression: libtiff refuses it (and used to print to stderr)."""
    data = bytearray(encode(Image.fromarray(RGB), "TIFF"))
    (ifd,) = struct.unpack_from("<I", data, 4)
    (count,) = struct.unpack_from("<H", data, ifd)
    for k in range(count):
        entry = ifd + 2 + 12 * k
        if struct.unpack_from("<H", data, entry)[0] == 259:  # Compression
            struct.pack_into("<H", data, entry + 8, 3)
    return bytes(data)


def exif_rotated_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees clockwise to display
    return encode(Image.fromarray(RGB), "JPEG", quality=95, exif=exif.tobytes())


def two_page_tiff() -> bytes:
    return encode(Image.fromarray(RGB), "TIFF", save_all=True, append_images=[Image.fromarray(255 - RGB)])


def animated_gif() -> bytes:
    frames = [Image.fromarray(RGB).convert("P"), Image.fromarray(255 - RGB).convert("P")]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:])


def rgba() -> np.ndarray:
    alpha = np.where(np.arange(RGB.shape[1]) < RGB.shape[1] // 2, 0, 255).astype(np.uint8)
    return np.dstack([RGB, np.broadcast_to(alpha, RGB.shape[:2])])


def checkerboard() -> np.ndarray:
    yy, xx = np.mgrid[:240, :320]
    board = (((yy // 20) + (xx // 20)) % 2).astype(np.uint8)
    return np.dstack([board * 200 + 30, (xx * 255 // 320).astype(np.uint8), (yy * 255 // 240).astype(np.uint8)])


def black_noise_jpeg() -> bytes:
    noise = np.random.default_rng(1).integers(0, 7, (200, 220, 3), dtype=np.uint8)
    return encode(Image.fromarray(noise), "JPEG")


RANDOM = bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8))
TEXT = b"Patient list, not an image.\n" * 20


def half(data: bytes) -> bytes:
    return data[: len(data) // 2]


# --- the corpus ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A file name, its content, and either the expected error text or a check of the loaded image."""

    name: str
    make: Callable[[], bytes]
    error: str | None = None
    check: Callable[[FundusImage], None] | None = None


def same_pixels(expected: np.ndarray, tolerance: int = 0) -> Callable[[FundusImage], None]:
    def check(image: FundusImage) -> None:
        exp = expected if expected.ndim == 3 else np.repeat(expected[:, :, None], 3, axis=2)
        assert np.abs(image.rgb.astype(int) - exp.astype(int)).max() <= tolerance

    return check


def similar_colours(expected: np.ndarray, tolerance: float) -> Callable[[FundusImage], None]:
    def check(image: FundusImage) -> None:
        diff = image.rgb.astype(float).mean(axis=(0, 1)) - expected.astype(float).mean(axis=(0, 1))
        assert np.abs(diff).max() <= tolerance, diff

    return check


def warns(text: str, then: Callable[[FundusImage], None] | None = None) -> Callable[[FundusImage], None]:
    def check(image: FundusImage) -> None:
        assert text in image.meta.get("warning", ""), image.meta
        if then is not None:
            then(image)

    return check


def shape_is(h: int, w: int) -> Callable[[FundusImage], None]:
    def check(image: FundusImage) -> None:
        assert image.shape == (h, w)

    return check


def rows_garbage() -> bytes:
    return patch_element(dicom(RGB), 0x0028, 0x0010, b"LO", b"ab")


def rows_wrong_length() -> bytes:
    return patch_element(dicom(RGB), 0x0028, 0x0010, b"US", struct.pack("<H", RGB.shape[0]), length=7)


def frames_garbage() -> bytes:
    ds = dicom(np.stack([RGB, RGB]), frames=2)
    return patch_element(ds, 0x0028, 0x0008, b"IS", b"ab")


def raw_dicom() -> bytes:
    """A data set without preamble and file meta (old ACR-NEMA style files)."""
    ds = pydicom.dcmread(io.BytesIO(dicom(RGB)))
    buf = io.BytesIO()
    ds.preamble = None
    ds.file_meta = FileMetaDataset()
    pydicom.dcmwrite(buf, ds, implicit_vr=True, little_endian=True)
    return buf.getvalue()


def deflated_dicom() -> bytes:
    ds = pydicom.dcmread(io.BytesIO(dicom(RGB)))
    ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def _without_pixels() -> bytes:
    ds = pydicom.dcmread(io.BytesIO(dicom(RGB)))
    del ds.PixelData
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()



CASES = [
    # zero-byte files
    Case("empty.png", lambda: b"", "the file is empty"),
    Case("empty.jpg", lambda: b"", "the file is empty"),
    Case("empty.dcm", lambda: b"", "the file is empty"),
    # truncated files
    Case("truncated.jpg", lambda: half(encode(Image.fromarray(RGB), "JPEG")), "JPEG data are truncated or corrupt"),
    Case("truncated.tif", lambda: half(encode(Image.fromarray(RGB), "TIFF")), "TIFF data are truncated or corrupt"),
    Case("truncated.gif", lambda: half(encode(Image.fromarray(RGB).convert("P"), "GIF")),
         "GIF data are truncated or corrupt"),
    Case("truncated.bmp", lambda: half(encode(Image.fromarray(RGB), "BMP")), "BMP data are truncated or corrupt"),
    Case("truncated_header.png", lambda: png(RGB)[:24], "image header is corrupt"),
    Case("truncated_header.jpg", lambda: encode(Image.fromarray(RGB), "JPEG")[:24], "image header is corrupt"),
    Case("truncated.dcm", lambda: half(dicom(RGB)), "pixel data are truncated"),
    Case("truncated_header.dcm", lambda: dicom(RGB)[:200], "no pixel data"),
    Case("truncated_rle.dcm", lambda: dicom(RGB, syntax=RLELossless)[:-300], "DICOM data are corrupt or truncated"),
    Case("fax_compressed.tif", fax_tiff, "TIFF data are truncated or corrupt"),
    # text and random bytes with image extensions
    Case("notes.png", lambda: TEXT, "not an image file in a supported format"),
    Case("notes.tif", lambda: TEXT, "not an image file in a supported format"),
    Case("notes.dcm", lambda: TEXT, "not a DICOM file"),
    Case("page.jpg", lambda: b"<!DOCTYPE html><html><body>404</body></html>",
         "not an image file in a supported format"),
    Case("random.png", lambda: RANDOM, "not an image file in a supported format"),
    Case("random.tif", lambda: RANDOM, "not an image file in a supported format"),
    Case("random.gif", lambda: RANDOM, "not an image file in a supported format"),
    Case("random.bmp", lambda: RANDOM, "not an image file in a supported format"),
    Case("random.dcm", lambda: RANDOM, "not a DICOM file"),
    # a valid image under the wrong extension (PNG-as-.jpg is in test_loader.py)
    Case("jpeg_named.png", lambda: encode(Image.fromarray(RGB), "JPEG", quality=95), check=similar_colours(RGB, 2)),
    Case("dicom_named.png", lambda: dicom(RGB), check=same_pixels(RGB)),
    Case("png_named.dcm", lambda: png(RGB), check=same_pixels(RGB)),
    Case("tiff_named.gif", lambda: encode(Image.fromarray(RGB), "TIFF"), check=same_pixels(RGB)),
    Case("no_extension", lambda: png(RGB), check=same_pixels(RGB)),
    Case("raw_dataset.dcm", raw_dicom, check=same_pixels(RGB)),
    # tiny images
    Case("1x1.png", lambda: png(np.full((1, 1, 3), 200, np.uint8)), "too small (1x1 pixels)"),
    Case("16x16.jpg", lambda: encode(Image.fromarray(fundus(16, 16)), "JPEG"), "too small (16x16 pixels)"),
    Case("16x16.dcm", lambda: dicom(fundus(16, 16)), "too small (16x16 pixels)"),
    Case("32x32.png", lambda: png(fundus(32, 32)), check=shape_is(32, 32)),
    # blank images: nothing to segment, refused (docs/robustness.md)
    Case("black.png", lambda: png(np.zeros_like(RGB)), "blank (every pixel has the colour 0,0,0)"),
    Case("white.png", lambda: png(np.full_like(RGB, 255)), "blank (every pixel has the colour 255,255,255)"),
    Case("grey.jpg", lambda: encode(Image.new("RGB", (220, 200), (128, 128, 128)), "JPEG"), "blank"),
    Case("black.dcm", lambda: dicom(np.zeros_like(GREY), "MONOCHROME2"), "blank"),
    Case("black_noise.jpg", black_noise_jpeg, "no field of view was found"),
    # not a fundus photograph: loads (segment gives a result; the CLI test runs it)
    Case("checkerboard.png", lambda: png(checkerboard()), check=same_pixels(checkerboard())),
    # colour models, alpha, palettes, bit depths (cmyk/rgba/grey16 FOV checks are in test_loader.py)
    Case("cmyk.jpg", lambda: encode(Image.fromarray(RGB).convert("CMYK"), "JPEG", quality=95),
         check=similar_colours(RGB, 3)),
    Case("rgba.png", lambda: png(rgba()), check=same_pixels(RGB)),  # alpha dropped, colour kept
    Case("grey_alpha.png", lambda: encode(Image.fromarray(rgba()[:, :, :1].repeat(2, 2)).convert("LA"), "PNG"),
         check=same_pixels(GREY)),
    Case("palette.png", lambda: encode(Image.fromarray(RGB).convert("P", palette=Image.Palette.ADAPTIVE), "PNG"),
         check=similar_colours(RGB, 2)),
    Case("palette_transparent.png",
         lambda: encode(Image.fromarray(RGB).convert("P", palette=Image.Palette.ADAPTIVE), "PNG", transparency=0),
         check=similar_colours(RGB, 2)),
    Case("grey16.png", lambda: png(GREY.astype(np.uint16) * 257), check=same_pixels(GREY)),
    Case("rgb16.png", lambda: cv2.imencode(".png", (RGB.astype(np.uint16) * 257)[:, :, ::-1])[1].tobytes(),
         check=same_pixels(RGB)),
    Case("grey16.tif", lambda: encode(Image.fromarray(GREY.astype(np.uint16) * 257), "TIFF"), check=same_pixels(GREY)),
    Case("rgb16.tif", lambda: cv2.imencode(".tif", (RGB.astype(np.uint16) * 257)[:, :, ::-1])[1].tobytes(),
         check=same_pixels(RGB)),
    Case("float.tif", lambda: encode(Image.fromarray(GREY.astype(np.float32) / 255), "TIFF"),
         check=same_pixels(GREY, 1)),
    Case("bilevel.png", lambda: encode(Image.fromarray(GREY > 100), "PNG"), check=same_pixels((GREY > 100) * 255)),
    Case("exif_rotated.jpg", exif_rotated_jpeg, check=shape_is(RGB.shape[1], RGB.shape[0])),
    Case("two_pages.tif", two_page_tiff, check=warns("only the first frame", same_pixels(RGB))),
    Case("animated.gif", animated_gif, check=warns("only the first frame", similar_colours(RGB, 2))),
    # DICOM
    Case("no_pixels.dcm", _without_pixels, "no pixel data"),
    Case("mpeg2.dcm", lambda: dicom(RGB, syntax="1.2.840.10008.1.2.4.100", pixel_data=encapsulate([RANDOM])),
         "transfer syntax 'MPEG2 Main Profile / Main Level' is not supported"),
    Case("made_up_syntax.dcm", lambda: dicom(RGB, syntax="1.2.3.4.5.6.7", pixel_data=encapsulate([RANDOM])),
         "transfer syntax '1.2.3.4.5.6.7' is not supported"),
    Case("jpeg_garbage.dcm", lambda: dicom(RGB, syntax=JPEGBaseline8Bit, pixel_data=encapsulate([RANDOM])),
         "compressed pixel data (JPEG Baseline (Process 1)) cannot be decoded"),
    Case("multiframe.dcm", lambda: dicom(np.stack([RGB, 255 - RGB, RGB]), frames=3),
         check=warns("multi-frame DICOM (3 frames): only the first frame is used", same_pixels(RGB))),
    Case("multiframe_short.dcm",
         lambda: patch_element(dicom(np.stack([RGB, RGB]), frames=2), 0x0028, 0x0008, b"IS", b"1000"),
         "pixel data are truncated"),
    Case("monochrome1.dcm", lambda: dicom(255 - GREY, "MONOCHROME1"), check=same_pixels(GREY)),
    Case("monochrome1_12bit.dcm", lambda: dicom(4095 - GREY.astype(np.uint16) * 16, "MONOCHROME1", bits=12),
         check=same_pixels(GREY, 1)),
    Case("rows_garbage.dcm", rows_garbage, "missing or invalid Rows"),
    Case("rows_wrong_length.dcm", rows_wrong_length, "DICOM data are corrupt or truncated"),
    Case("rows_zero.dcm", lambda: patch_element(dicom(RGB), 0x0028, 0x0010, b"US", struct.pack("<H", 0)),
         "declares an empty image"),
    Case("frames_garbage.dcm", frames_garbage, "missing or invalid NumberOfFrames"),
    Case("bits_allocated_7.dcm", lambda: patch_element(dicom(RGB), 0x0028, 0x0100, b"US", struct.pack("<H", 7)),
         "BitsAllocated value 7 is not supported"),
    Case("samples_4.dcm", lambda: patch_element(dicom(RGB), 0x0028, 0x0002, b"US", struct.pack("<H", 4)),
         "4 samples per pixel"),
    Case("photometric_unknown.dcm", lambda: patch_element(dicom(RGB), 0x0028, 0x0004, b"CS", b"FOO "),
         "photometric interpretation 'FOO' is not supported"),
    Case("photometric_mismatch.dcm", lambda: patch_element(dicom(RGB), 0x0028, 0x0004, b"CS", b"MONOCHROME2 "),
         "does not match 3 samples per pixel"),
    Case("pixel_data_short.dcm", lambda: dicom(RGB, pixel_data=RGB.tobytes()[:1000]), "pixel data are truncated"),
    Case("ct.dcm", lambda: dicom(GREY, "MONOCHROME2", modality="CT"),
         check=warns("modality CT is not ophthalmic photography", same_pixels(GREY))),
    Case("deflated.dcm", deflated_dicom, check=same_pixels(RGB)),
    Case("rle.dcm", lambda: dicom(RGB, syntax=RLELossless), check=same_pixels(RGB)),
]


def assert_valid(image: FundusImage, path: Path) -> None:
    h, w = image.shape
    assert image.rgb.dtype == np.uint8 and image.rgb.shape == (h, w, 3) and image.rgb.flags.c_contiguous
    assert image.fov.dtype == bool and image.fov.shape == (h, w) and image.fov.any()
    assert (image.meta["width"], image.meta["height"]) == (w, h)
    assert image.path == path


def assert_one_line_error(exc: ImageLoadError, path: Path, reason: str | None) -> str:
    message = str(exc)
    assert "\n" not in message and "\r" not in message, message
    assert message.startswith(f"Cannot open '{loader.display_name(path)}': ") and message.endswith("."), message
    if reason is not None:
        assert reason in message, message
    return message


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_case(case: Case, tmp_path: Path) -> None:
    path = tmp_path / case.name
    path.write_bytes(case.make())
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    start = time.perf_counter()
    if case.error is not None:
        with pytest.raises(ImageLoadError) as info:
            load_image(path)
        assert_one_line_error(info.value, path, case.error)
    else:
        image = load_image(path)
        assert_valid(image, path)
        if case.check is not None:
            case.check(image)
    assert time.perf_counter() - start < LOAD_SECONDS
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before  # inputs are never modified


def test_decoders_print_nothing_to_stderr(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """The CLI promises one stderr line per bad file: libtiff, Pillow and pydicom must add none of their own."""
    names = ("fax_compressed.tif", "jpeg_garbage.dcm", "truncated_rle.dcm", "samples_4.dcm", "two_pages.tif")
    capfd.readouterr()
    for case in (c for c in CASES if c.name in names):
        path = tmp_path / case.name
        path.write_bytes(case.make())
        try:
            load_image(path)
        except ImageLoadError:
            pass
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def test_every_issue_case_is_in_the_corpus() -> None:
    """Guards the list above against losing a case the issue names."""
    names = " ".join(c.name for c in CASES)
    for needed in ("empty", "truncated.jpg", "truncated.tif", "truncated.dcm", "truncated_header.png", "notes.",
                   "random.", "_named.", "1x1", "16x16", "black", "white", "checkerboard", "cmyk", "rgba", "palette",
                   "grey16.png", "grey16.tif", "no_pixels.dcm", "mpeg2.dcm", "multiframe.dcm", "monochrome1",
                   "rows_garbage", "rows_wrong_length", "ct.dcm"):
        assert needed in names, needed


# --- decompression bombs: refused from the header, without allocating the pixels ----------------------

BOMBS = {
    "bomb.png": lambda: png_bomb(50000, 50000),
    "bomb.tif": lambda: tiff_bomb(50000, 50000),
    "bomb.jpg": lambda: jpeg_bomb(50000, 50000),
    "bomb.gif": lambda: gif_bomb(50000, 50000),
    "bomb.bmp": lambda: bmp_bomb(50000, 50000),
    "bomb.pgm": lambda: pgm_bomb(50000, 50000),
    "bomb.dcm": lambda: patch_element(patch_element(dicom(RGB), 0x0028, 0x0010, b"US", struct.pack("<H", 50000)),
                                      0x0028, 0x0011, b"US", struct.pack("<H", 50000)),
    "jpeg_frame_bomb.dcm": lambda: dicom_jpeg_bomb(20000, 20000),
}

_BOMB_CHILD = r"""
import json, resource, sys, time
import fundus_app.io.dicom  # import everything before the address-space limit
from fundus_app import ImageLoadError, load_image

def vm_bytes():
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) * 1024 for l in fh if l.startswith("VmSize:"))

soft, hard = resource.getrlimit(resource.RLIMIT_AS)
resource.setrlimit(resource.RLIMIT_AS, (vm_bytes() + 256 * 2**20, hard))
results = []
for path in sys.argv[1:]:
    start = time.perf_counter()
    try:
        load_image(path)
        outcome = "loaded"
    except ImageLoadError as exc:
        outcome = str(exc)
    except MemoryError:
        outcome = "MemoryError"
    results.append([path, outcome, time.perf_counter() - start])
print(json.dumps(results))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc to limit address space")
def test_bombs_refused_quickly_without_allocating(tmp_path: Path) -> None:
    """50000x50000 headers: refused in < 2 s with at most 256 MB more address space (50000^2 needs 2.5 GB)."""
    paths = []
    for name, make in BOMBS.items():
        paths.append(tmp_path / name)
        paths[-1].write_bytes(make())
    res = subprocess.run([sys.executable, "-c", _BOMB_CHILD, *map(str, paths)], capture_output=True, text=True,
                         timeout=120, cwd=REPO, env=cli_env())
    assert res.returncode == 0, res.stderr
    results = json.loads(res.stdout)
    assert len(results) == len(BOMBS)
    for path, outcome, seconds in results:
        name = Path(path).name
        assert outcome.startswith(f"Cannot open '{name}': "), outcome
        assert "too large (50000x50000 pixels" in outcome or "larger than the DICOM header" in outcome, outcome
        assert seconds < BOMB_SECONDS, (name, seconds)


def test_deflated_dicom_bomb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pydicom inflates a deflated data set without a cap; the loader caps it at MAX_FILE_BYTES."""
    good = deflated_dicom()
    group_length = struct.unpack_from("<I", good, 132 + 8)[0]
    body = 132 + 12 + group_length
    squeezer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    bomb = good[:body] + squeezer.compress(b"\0" * (8 * 2**20)) + squeezer.flush()
    assert len(bomb) < 64 * 1024
    path = tmp_path / "deflate_bomb.dcm"
    path.write_bytes(bomb)
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 4 * 2**20)
    with pytest.raises(ImageLoadError) as info:
        load_image(path)
    assert_one_line_error(info.value, path, "inflate to more than 4 MB")


# --- paths ---------------------------------------------------------------------------------------------------


def _expect_error(path: Path, reason: str) -> None:
    start = time.perf_counter()
    with pytest.raises(ImageLoadError) as info:
        load_image(path)
    assert_one_line_error(info.value, path, reason)
    assert time.perf_counter() - start < LOAD_SECONDS


def test_folder_missing_file_and_broken_link(tmp_path: Path) -> None:
    folder = tmp_path / "looks_like.png"
    folder.mkdir()
    _expect_error(folder, "it is a folder")
    _expect_error(tmp_path / "missing.png", "does not exist")
    if hasattr(os, "symlink"):
        (tmp_path / "dangling.png").symlink_to(tmp_path / "gone.png")
        _expect_error(tmp_path / "dangling.png", "broken symbolic link")


@pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32", reason="POSIX symlinks")
def test_symlink_loop(tmp_path: Path) -> None:
    a, b = tmp_path / "loop_a.png", tmp_path / "loop_b.png"
    a.symlink_to(b)
    b.symlink_to(a)
    _expect_error(a, "symbolic link loop")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_named_pipe_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    _expect_error(fifo, "not a regular file")


@pytest.mark.skipif(PERMISSIONS_BYPASSED,
                    reason="running as root (or with CAP_DAC_OVERRIDE): chmod 000 cannot block reads")
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "locked.png"
    path.write_bytes(png(RGB))
    path.chmod(0)
    try:
        _expect_error(path, "permission denied")
    finally:
        path.chmod(0o644)


def test_unreadable_file_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same case as above, simulated so that it also runs as root (the CI container)."""
    path = tmp_path / "locked.png"
    path.write_bytes(png(RGB))
    real_open = os.open

    def refuse(p, *args, **kw):
        if Path(p) == path:
            raise PermissionError(errno.EACCES, "Permission denied", str(p))
        return real_open(p, *args, **kw)

    monkeypatch.setattr(os, "open", refuse)
    _expect_error(path, "permission denied")


def test_names_with_spaces_chinese_and_control_characters(tmp_path: Path) -> None:
    folder = tmp_path / "患者 资料"
    folder.mkdir()
    good = folder / "眼底 照片 left eye.dcm"
    good.write_bytes(dicom(RGB))
    assert_valid(load_image(good), good)
    bad = folder / "坏的 文件.jpg"
    bad.write_bytes(TEXT)
    _expect_error(bad, "not an image")
    if sys.platform != "win32":
        odd = tmp_path / "two\nlines.png"
        odd.write_bytes(TEXT)
        with pytest.raises(ImageLoadError) as info:
            load_image(odd)
        assert "two\\nlines.png" in assert_one_line_error(info.value, odd, "not an image")


# --- the command line ----------------------------------------------------------------------------------------


def assert_complete_output(path: Path) -> None:
    """A final-named output is whole: PNGs end with IEND and decode, JSON parses."""
    data = path.read_bytes()
    if path.suffix == ".png":
        assert data.endswith(b"IEND\xaeB`\x82"), path.name
        assert cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED) is not None, path.name
    elif path.suffix == ".json":
        assert "biomarkers" in json.loads(data), path.name


def outputs_of(out: Path, stem: str) -> list[Path]:
    """Every file ``segment`` writes for ``stem`` with the bundled models (the A/V map included)."""
    paths = OutputPaths.for_stem(out, stem)
    return [paths.prob, paths.mask, paths.overlay, paths.av, paths.json]


def finished_stems(out: Path) -> list[str]:
    """Stems with a final JSON (not the hidden ``.<name>.<random>.part.json`` temporaries, which glob matches)."""
    return sorted(p.stem for p in out.glob("*.json") if not p.name.startswith(".")) if out.is_dir() else []


BAD_FOR_CLI = {
    "empty.png": b"",
    "truncated.jpg": half(encode(Image.fromarray(RGB), "JPEG")),
    "notes.tif": TEXT,
    "random.dcm": RANDOM,
    "bomb.png": png_bomb(50000, 50000),
    "tiny.png": png(fundus(16, 16)),
    "black.png": png(np.zeros_like(RGB)),
    "white.bmp": encode(Image.new("RGB", (220, 200), (255, 255, 255)), "BMP"),
    "mpeg2.dcm": dicom(RGB, syntax="1.2.840.10008.1.2.4.100", pixel_data=encapsulate([RANDOM])),
}


@pytest.mark.slow
def test_cli_batch_with_good_and_bad_files(drive_test_image: Path, tmp_path: Path) -> None:
    folder = tmp_path / "批次 batch"
    folder.mkdir()
    good = folder / "眼底 left eye.tif"
    shutil.copy(drive_test_image, good)
    (folder / "checkerboard.png").write_bytes(png(checkerboard()))  # not a fundus: still a result
    for name, data in BAD_FOR_CLI.items():
        (folder / name).write_bytes(data)
    loop = tmp_path / "loop.png"
    loop.symlink_to(loop)
    inputs = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    out = tmp_path / "out"
    res = run_cli("segment", str(folder), str(loop), str(tmp_path / "missing.jpg"), "--out", str(out),
                  "--device", "cpu")
    assert res.returncode == 1
    assert "Traceback" not in res.stderr and "Traceback" not in res.stdout
    lines = res.stderr.strip().splitlines()
    bad_names = [*BAD_FOR_CLI, "loop.png", "missing.jpg"]
    assert len(lines) == len(bad_names), res.stderr
    for name in bad_names:
        assert sum(f"'{name}'" in line for line in lines) == 1, (name, res.stderr)
    for stem in (good.stem, "checkerboard"):
        for path in outputs_of(out, stem):
            assert_complete_output(path)
    assert good.name in res.stdout and "checkerboard.png" in res.stdout
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for s in (good.stem, "checkerboard")
                                                           for p in outputs_of(out, s))  # no .part, nothing else
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()} == inputs


@pytest.mark.skipif(not hasattr(os, "kill") or sys.platform == "win32", reason="SIGKILL is POSIX")
@pytest.mark.slow
def test_cli_batch_killed_then_resumed(drive_test_image: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    stems = [f"eye_{i}" for i in range(4)]
    for stem in stems:
        shutil.copy(drive_test_image, folder / f"{stem}.tif")
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "fundus_app", "segment", str(folder), "--out", str(out), "--device", "cpu"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
        env=cli_env(),
    )
    deadline = time.monotonic() + 240
    try:
        while not finished_stems(out):
            assert proc.poll() is None, f"segment ended before it could be killed: {proc.communicate()}"
            assert time.monotonic() < deadline, "no image finished in 240 s"
            time.sleep(0.01)
        proc.kill()  # SIGKILL: no handler, no cleanup
    finally:
        proc.kill()
        proc.communicate()
    done = finished_stems(out)
    assert 1 <= len(done) < len(stems)
    for path in out.iterdir():
        if not path.name.startswith("."):  # hidden .part temporaries may survive a SIGKILL
            assert_complete_output(path)
    for stem in done:  # the JSON is written last, so a finished image has all four files
        assert all(p.is_file() for p in outputs_of(out, stem))
    finished = {p: (p.stat().st_mtime_ns, p.read_bytes()) for s in done for p in outputs_of(out, s)}

    res = run_cli("segment", str(folder), "--out", str(out), "--device", "cpu", "--skip-done")
    assert res.returncode == 0, res.stderr
    assert res.stdout.count("skipped") == len(done), res.stdout
    for stem in done:
        assert f"{stem}.tif: already done, skipped" in res.stdout
    for stem in stems:
        for path in outputs_of(out, stem):
            assert_complete_output(path)
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in finished} == finished  # not redone


# --- output folder errors (in-process with a stand-in network: the error path needs no model) -----------


class _FakeSegmenter:
    """Returns an empty vessel map; lets the CLI reach its output code without loading torch."""

    def segment(self, image: FundusImage, *, crf: bool = False):
        from fundus_app.domain import Segmentation

        return Segmentation(probability=np.zeros(image.shape, np.float32), fov=image.fov,
                            timings={"total": 0.0}, model_name="fake", model_sha256="0" * 64)


def _segment_in_process(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                        *args: str) -> tuple[int, str, str]:
    from fundus_app import cli

    monkeypatch.setattr(cli, "_segmenter", lambda _args: _FakeSegmenter())
    code = cli.main(["segment", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_output_path_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    image = tmp_path / "eye.png"
    image.write_bytes(png(RGB))
    target = tmp_path / "results.txt"
    target.write_text("not a folder")
    code, _, err = _segment_in_process(monkeypatch, capsys, str(image), "--out", str(target))
    assert code == 1
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"Cannot write to folder {target}: it is a file, not a folder." in err
    assert target.read_text() == "not a folder"


@pytest.mark.skipif(PERMISSIONS_BYPASSED,
                    reason="running as root (or with CAP_DAC_OVERRIDE): chmod cannot block writes")
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_read_only_output_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    image = tmp_path / "eye.png"
    image.write_bytes(png(RGB))
    out = tmp_path / "locked"
    out.mkdir()
    out.chmod(0o555)
    try:
        code, _, err = _segment_in_process(monkeypatch, capsys, str(image), "--out", str(out))
    finally:
        out.chmod(0o755)
    assert code == 1 and err.count("\n") == 1 and "permission denied" in err and str(out) in err
    assert not list(out.iterdir())


def test_read_only_and_full_disk_messages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated read-only folder and full disk (also as root): one sentence, no temporary left, old file kept."""
    import tempfile

    from fundus_app.atomic import OutputError, write_bytes

    target = tmp_path / "eye_mask.png"
    target.write_bytes(b"old")
    real_mkstemp = tempfile.mkstemp

    def read_only(*a, **kw):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    with pytest.raises(OutputError, match=r"^Cannot write to folder .*: permission denied\.$"):
        write_bytes(target, b"new")
    monkeypatch.setattr(tempfile, "mkstemp", real_mkstemp)

    def disk_full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", disk_full)
    with pytest.raises(OutputError, match=r"^Cannot write .*eye_mask\.png: the disk is full\.$"):
        write_bytes(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eye_mask.png"]  # the temporary was removed


def test_ensure_writable_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The up-front check a batch can make before loading the model (docs/robustness.md, cli.py proposal)."""
    import tempfile

    from fundus_app.atomic import OutputError, ensure_writable_folder

    nested = tmp_path / "a" / "b"
    assert ensure_writable_folder(nested) == nested and nested.is_dir() and not list(nested.iterdir())
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match=r"it is a file, not a folder\.$"):
        ensure_writable_folder(blocker / "sub")

    def full(*a, **kw):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "mkstemp", full)
    with pytest.raises(OutputError, match=rf"^Cannot write to folder {re.escape(str(nested))}: the disk is full\.$"):
        ensure_writable_folder(nested)


def test_outputs_get_normal_permissions(tmp_path: Path) -> None:
    """mkstemp creates 0600 files; outputs must follow the umask like any other file."""
    from fundus_app.atomic import write_bytes

    if sys.platform == "win32":
        pytest.skip("POSIX permissions")
    old = os.umask(0o022)
    try:
        path = write_bytes(tmp_path / "a.json", b"{}")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644


def test_unreadable_input_folder_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    real_iterdir = Path.iterdir

    def refuse(self):
        if self == folder:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_iterdir(self)

    monkeypatch.setattr(Path, "iterdir", refuse)
    code, _, err = _segment_in_process(monkeypatch, capsys, str(folder), "--out", str(tmp_path / "out"))
    assert code == 1 and err.count("\n") == 1 and "locked" in err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX symlinks")
def test_folder_entries_that_are_not_files_are_reported(tmp_path: Path) -> None:
    from fundus_app.cli import expand_inputs

    (tmp_path / "loop.png").symlink_to(tmp_path / "loop.png")
    (tmp_path / "dangling.jpg").symlink_to(tmp_path / "gone.jpg")
    assert sorted(p.name for p in expand_inputs([str(tmp_path)])) == ["dangling.jpg", "loop.png"]
