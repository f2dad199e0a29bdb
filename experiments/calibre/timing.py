"""Time measure_calibre on a RITE label (565x584) and a LES-AV label enlarged to 3504x2336 (nearest neighbour).

python -m experiments.calibre.timing
"""
from __future__ import annotations

import time

import cv2
import numpy as np

from experiments.calibre.disc_guess import guess_disc, items, load
from fundus_app.biomarkers.calibre import _measure_zones, measure_calibre
from fundus_app.domain import Disc


def best(f, n: int = 5) -> float:
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t)
    return 1000 * min(ts)


def main() -> None:
    it = [i for i in items("RITE") if i["name"] == "RITE/01_test"][0]
    av, fov, rgb = load(it)
    disc = guess_disc(av, fov, rgb, "RITE")
    measure_calibre(av, disc, fov)  # imports
    for z in ("B", "C"):
        print(f"RITE 565x584 zone {z}: {best(lambda z=z: measure_calibre(av, disc, fov, zone=z)):.1f} ms")
    print(f"RITE both zones in one pass: {best(lambda: _measure_zones(av, disc, fov, ['B', 'C'], None, None)):.1f} ms")
    it = [i for i in items("LES-AV") if i["name"] == "LES-AV/12"][0]
    av, fov, rgb = load(it)
    disc = guess_disc(av, fov, rgb, "LES-AV")
    f = 2336 / 1444 * 1.0
    big = cv2.resize(av, None, fx=f, fy=f, interpolation=cv2.INTER_NEAREST)
    bfov = cv2.resize(fov.astype(np.uint8), None, fx=f, fy=f, interpolation=cv2.INTER_NEAREST).astype(bool)
    pad = 3504 - big.shape[1]
    big = np.pad(big, ((0, 0), (pad // 2, pad - pad // 2)))[:2336]
    bfov = np.pad(bfov, ((0, 0), (pad // 2, pad - pad // 2)))[:2336]
    bdisc = Disc(((disc.centre[0] + 0.5) * f - 0.5 + pad // 2, (disc.centre[1] + 0.5) * f - 0.5), disc.diameter * f)
    print("enlarged", big.shape, "disc", round(bdisc.diameter))
    for z in ("B", "C"):
        ms = best(lambda z=z: measure_calibre(big, bdisc, bfov, zone=z), 3)
        a, b = measure_calibre(av, disc, fov, zone=z), measure_calibre(big, bdisc, bfov, zone=z)
        print(f"3504x2336 zone {z}: {ms:.1f} ms; AVR {a.avr:.3f} at 1620x1444, {b.avr:.3f} enlarged; "
              f"CRAE {a.crae_um:.1f} / {b.crae_um:.1f} um, CRVE {a.crve_um:.1f} / {b.crve_um:.1f} um")
    print(f"3504x2336 both zones: {best(lambda: _measure_zones(big, bdisc, bfov, ['B', 'C'], None, None), 3):.1f} ms")


if __name__ == "__main__":
    main()
