"""Fuzz ``load_image`` with mutated seed files and count the outcomes (issue #8).

    .venv/bin/python benchmarks/fuzz_loader.py                 # 10,000 inputs
    .venv/bin/python benchmarks/fuzz_loader.py --count 500 --save out/fuzz

Seeds are small valid images built in memory (PNG, JPEG, TIFF, GIF, BMP, PGM and
DICOM: native, RLE, JPEG baseline, JPEG 2000). Each input applies 1-4 mutations:
bit flips, truncation, inserted or overwritten bytes, and overwrites of header
fields (width, height, bit depth, Rows, BitsAllocated, NumberOfFrames, transfer
syntax ...) with boundary values. Every input must end as a FundusImage or an
ImageLoadError; anything else ("other"), or an input running past --timeout
seconds ("timeout"), makes the exit status 1. --save keeps those inputs.

tests/unit/test_fuzz_loader.py drives the same mutator with hypothesis.
"""
from __future__ import annotations

import argparse
import io
import random
import resource
import signal
import struct
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fundus_app import FundusImage, ImageLoadError, load_image

#: Values written into header fields: zero, one, powers of two and their neighbours, the extremes.
INTERESTING = (0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 127, 128, 255, 256, 1000, 4096, 32767, 32768,
               65535, 65536, 50000, 2**31 - 1, 2**31, 2**32 - 1)


@dataclass(frozen=True)
class Field:
    """A header field inside a seed: byte offset, width in bytes, byte order ("<" or ">"), or text (DICOM IS/UI)."""

    offset: int
    width: int
    order: str = "<"
    text: bool = False


@dataclass(frozen=True)
class Seed:
    name: str  # with the extension the file gets
    data: bytes
    fields: tuple[Field, ...] = field(default_factory=tuple)


# --- seeds ------------------------------------------------------------------------------------------------


def _fundus(h: int = 48, w: int = 56) -> np.ndarray:
    yy, xx = np.mgrid[:h, :w]
    disc = (yy - h / 2) ** 2 + (xx - w / 2) ** 2 < (0.45 * min(h, w)) ** 2
    rgb = np.zeros((h, w, 3), np.uint8)
    rgb[disc] = (170, 80, 35)
    rgb[disc & (np.abs(yy - xx) < 2)] = (110, 45, 20)
    rgb[disc, 1] += (xx[disc] // 4).astype(np.uint8)
    return rgb


def _encode(arr: np.ndarray, fmt: str, **kw) -> bytes:
    from PIL import Image

    img = Image.fromarray(arr)
    if fmt == "GIF":
        img = img.convert("P")
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def _dicom(rgb: np.ndarray, syntax: str) -> bytes:
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.encaps import encapsulate
    from pydicom.uid import ExplicitVRLittleEndian, JPEG2000Lossless, JPEGBaseline8Bit, RLELossless, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.77.1.5.1"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset("seed.dcm", {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = "OP"
    ds.PatientName = "Fuzz^Seed"
    ds.Rows, ds.Columns = rgb.shape[:2]
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    if syntax == "jpeg":  # grey JPEG baseline frame (Pillow encodes it)
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.NumberOfFrames = 1
        ds.PixelData = encapsulate([_encode(rgb[:, :, 0], "JPEG")])
        ds["PixelData"].VR = "OB"
        ds.file_meta.TransferSyntaxUID = JPEGBaseline8Bit
    else:
        ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PlanarConfiguration = 3, "RGB", 0
        ds.NumberOfFrames = 1
        ds.PixelData = rgb.tobytes()
        if syntax == "rle":
            ds.compress(RLELossless)
        elif syntax == "j2k":
            ds.compress(JPEG2000Lossless)
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def _dicom_fields(data: bytes) -> tuple[Field, ...]:
    out = []
    for (group, element), text in {(0x0028, 0x0010): False, (0x0028, 0x0011): False, (0x0028, 0x0002): False,
                                   (0x0028, 0x0100): False, (0x0028, 0x0101): False, (0x0028, 0x0102): False,
                                   (0x0028, 0x0103): False, (0x0028, 0x0006): False, (0x0028, 0x0008): True,
                                   (0x0028, 0x0004): True, (0x0002, 0x0010): True}.items():
        i = data.find(struct.pack("<HH", group, element), 132)
        if i >= 0:
            (length,) = struct.unpack_from("<H", data, i + 6)
            out.append(Field(i + 8, length, "<", text))
            out.append(Field(i + 6, 2))  # the element's length field
    i = data.find(b"\xe0\x7f\x10\x00", 132)  # PixelData: 4-byte length after OB + 2 reserved bytes
    if i >= 0:
        out.append(Field(i + 8, 4))
    return tuple(out)


def _png_fields(data: bytes) -> tuple[Field, ...]:
    return (Field(16, 4, ">"), Field(20, 4, ">"), Field(24, 1), Field(25, 1), Field(28, 1), Field(8, 4, ">"))


def _jpeg_fields(data: bytes) -> tuple[Field, ...]:
    i = data.find(b"\xff\xc0")
    fields = [Field(i + 5, 2, ">"), Field(i + 7, 2, ">"), Field(i + 9, 1), Field(i + 4, 1), Field(i + 2, 2, ">")]
    j = data.find(b"\xff\xda")
    if j >= 0:
        fields += [Field(j + 2, 2, ">"), Field(j + 4, 1)]
    return tuple(fields)


def _tiff_fields(data: bytes) -> tuple[Field, ...]:
    (ifd,) = struct.unpack_from("<I", data, 4)
    (n,) = struct.unpack_from("<H", data, ifd)
    fields = [Field(4, 4), Field(ifd, 2)]
    for k in range(n):
        e = ifd + 2 + 12 * k
        fields += [Field(e + 2, 2), Field(e + 4, 4), Field(e + 8, 4)]  # type, count, value/offset
    return tuple(fields)


def _gif_fields(data: bytes) -> tuple[Field, ...]:
    i = data.find(b"\x2c", 13)
    return (Field(6, 2), Field(8, 2), Field(10, 1), Field(i + 5, 2), Field(i + 7, 2), Field(i + 9, 1), Field(i + 10, 1))


def _bmp_fields(data: bytes) -> tuple[Field, ...]:
    return (Field(2, 4), Field(10, 4), Field(14, 4), Field(18, 4), Field(22, 4), Field(26, 2), Field(28, 2),
            Field(30, 4), Field(34, 4), Field(46, 4))


def _pgm_fields(data: bytes) -> tuple[Field, ...]:
    return (Field(3, 2, text=True), Field(6, 2, text=True), Field(9, 3, text=True))


def seed_corpus() -> list[Seed]:
    """The valid small files every mutation starts from (each loads as a FundusImage)."""
    rgb = _fundus()
    seeds = [
        Seed("seed.png", _encode(rgb, "PNG"), ()),
        Seed("seed.jpg", _encode(rgb, "JPEG", quality=90), ()),
        Seed("seed.tif", _encode(rgb, "TIFF"), ()),
        Seed("seed.gif", _encode(rgb, "GIF"), ()),
        Seed("seed.bmp", _encode(rgb, "BMP"), ()),
        Seed("seed.pgm", _encode(rgb[:, :, 0], "PPM"), ()),
        Seed("seed.dcm", _dicom(rgb, "native"), ()),
        Seed("seed_rle.dcm", _dicom(rgb, "rle"), ()),
        Seed("seed_jpeg.dcm", _dicom(rgb, "jpeg"), ()),
        Seed("seed_j2k.dcm", _dicom(rgb, "j2k"), ()),
    ]
    finders = {".png": _png_fields, ".jpg": _jpeg_fields, ".tif": _tiff_fields, ".gif": _gif_fields,
               ".bmp": _bmp_fields, ".pgm": _pgm_fields, ".dcm": _dicom_fields}
    return [Seed(s.name, s.data, finders[Path(s.name).suffix](s.data)) for s in seeds]


# --- mutations ---------------------------------------------------------------------------------------------


def _write_field(data: bytearray, f: Field, value: int) -> None:
    if f.offset < 0 or f.offset + f.width > len(data):
        return
    if f.text:
        raw = str(value).encode()[: f.width].ljust(f.width, b" ")
    else:
        raw = (value & ((1 << (8 * f.width)) - 1)).to_bytes(f.width, "little" if f.order == "<" else "big")
    data[f.offset:f.offset + f.width] = raw


def mutate(seed: Seed, ops: list[tuple]) -> bytes:
    """Apply mutation ops to a seed. Positions wrap around the current length, so any op list is valid.

    ops: ("flip", pos, bit) | ("truncate", length) | ("insert", pos, bytes) | ("overwrite", pos, bytes)
         | ("field", index, value)
    """
    data = bytearray(seed.data)
    for op in ops:
        kind = op[0]
        if kind == "field" and seed.fields:
            _write_field(data, seed.fields[op[1] % len(seed.fields)], op[2])
        elif not data:
            continue
        elif kind == "flip":
            data[op[1] % len(data)] ^= 1 << (op[2] % 8)
        elif kind == "truncate":
            del data[op[1] % len(data):]
        elif kind == "insert":
            pos = op[1] % (len(data) + 1)
            data[pos:pos] = op[2]
        elif kind == "overwrite":
            pos = op[1] % len(data)
            data[pos:pos + len(op[2])] = op[2]
    return bytes(data)


def random_ops(rng: random.Random) -> list[tuple]:
    """1-4 random ops; positions favour the first 600 bytes, where the headers are."""
    ops: list[tuple] = []
    for _ in range(rng.randint(1, 4)):
        pos = rng.randrange(600) if rng.random() < 0.7 else rng.randrange(1 << 16)
        kind = rng.choice(("flip", "flip", "truncate", "insert", "overwrite", "field", "field"))
        if kind == "flip":
            ops.append(("flip", pos, rng.randrange(8)))
        elif kind == "truncate":
            ops.append(("truncate", pos))
        elif kind in ("insert", "overwrite"):
            ops.append((kind, pos, bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))))
        else:
            ops.append(("field", rng.randrange(64), rng.choice(INTERESTING)))
    return ops


# --- one input ---------------------------------------------------------------------------------------------


class Timeout(Exception):
    """An input ran past the per-input time bound."""


def _on_alarm(signum, frame):
    raise Timeout()


def check_valid(image: FundusImage) -> None:
    """The FundusImage contract: (H, W, 3) uint8 rgb, (H, W) bool fov."""
    h, w = image.rgb.shape[:2]
    assert image.rgb.dtype == np.uint8 and image.rgb.shape == (h, w, 3), (image.rgb.dtype, image.rgb.shape)
    assert image.fov.dtype == bool and image.fov.shape == (h, w), (image.fov.dtype, image.fov.shape)


def run_one(path: Path, data: bytes, timeout_s: float) -> tuple[str, str, float]:
    """Write ``data`` to ``path`` and load it: ("loaded" | "ImageLoadError" | "other" | "timeout", detail, seconds)."""
    path.write_bytes(data)
    use_alarm = hasattr(signal, "setitimer") and timeout_s > 0
    if use_alarm:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout_s)
    start = time.perf_counter()
    try:
        image = load_image(path)
        check_valid(image)
        outcome, detail = "loaded", f"{image.shape[1]}x{image.shape[0]}"
    except ImageLoadError as exc:
        message = str(exc)
        ok = "\n" not in message and message.startswith(f"Cannot open '{path.name}': ")
        outcome, detail = ("ImageLoadError", message) if ok else ("other", f"badly formed message: {message!r}")
    except Timeout:
        outcome, detail = "timeout", f"more than {timeout_s} s"
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        outcome, detail = "other", f"{type(exc).__name__}: {exc}"
    finally:
        seconds = time.perf_counter() - start
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    return outcome, detail, seconds


def peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="mutated inputs to load (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds one input may take (default 10)")
    parser.add_argument("--save", type=Path, help="folder to keep inputs that ended as 'other' or 'timeout'")
    args = parser.parse_args(argv)

    seeds = seed_corpus()
    for s in seeds:  # every seed must load before mutation means anything
        with tempfile.TemporaryDirectory() as d:
            outcome, detail, _ = run_one(Path(d) / s.name, s.data, args.timeout)
            if outcome != "loaded":
                print(f"seed {s.name} does not load: {detail}", file=sys.stderr)
                return 2
    rng = random.Random(args.seed)
    counts: Counter[str] = Counter()
    per_seed: dict[str, Counter[str]] = {s.name: Counter() for s in seeds}
    messages: Counter[str] = Counter()
    slowest = (0.0, "", [])
    bad: list[str] = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fundus-fuzz-") as tmp:
        for i in range(args.count):
            seed = seeds[i % len(seeds)]
            ops = random_ops(rng)
            data = mutate(seed, ops)
            ext = Path(seed.name).suffix if rng.random() < 0.9 else rng.choice((".png", ".jpg", ".dcm", ".tif"))
            path = Path(tmp) / f"input{ext}"
            outcome, detail, seconds = run_one(path, data, args.timeout)
            counts[outcome] += 1
            per_seed[seed.name][outcome] += 1
            if outcome == "ImageLoadError":
                messages[detail.split(": ", 1)[1].split(" (")[0]] += 1
            if seconds > slowest[0]:
                slowest = (seconds, seed.name, ops)
            if outcome in ("other", "timeout"):
                bad.append(f"#{i} {seed.name} {ops!r}: {detail}")
                if args.save:
                    args.save.mkdir(parents=True, exist_ok=True)
                    (args.save / f"{i:06d}{ext}").write_bytes(data)
    total = time.perf_counter() - start

    print(f"fuzz_loader: {args.count} inputs from {len(seeds)} seeds (random seed {args.seed}) in {total:.1f} s")
    for outcome in ("loaded", "ImageLoadError", "other", "timeout"):
        print(f"  {outcome:15s} {counts[outcome]:6d}")
    print(f"  slowest input   {slowest[0] * 1000:.0f} ms ({slowest[1]}, ops {slowest[2]!r})")
    print(f"  peak RSS        {peak_rss_mb():.0f} MB")
    print("  per seed (loaded / ImageLoadError / other / timeout):")
    for name, c in per_seed.items():
        print(f"    {name:15s} {c['loaded']:5d} {c['ImageLoadError']:5d} {c['other']:3d} {c['timeout']:3d}")
    print("  most frequent error reasons:")
    for reason, n in messages.most_common(12):
        print(f"    {n:5d}  {reason}")
    for line in bad[:20]:
        print(f"  BAD {line}", file=sys.stderr)
    return 1 if counts["other"] or counts["timeout"] else 0


if __name__ == "__main__":
    sys.exit(main())
