"""Does the estimated field of view cost any scored pixels? (issue 3, diagnostics)

    python -m experiments.fov_coverage [--set drive-test]

For a set scored inside its own FOV masks (DRIVE), counts the scoring-FOV pixels
and label vessel pixels that lie outside the FOV the loader estimates: the written
probability there is 0, so every such vessel pixel is a certain miss. Prints one
line per image and the totals. Nothing here changes the product.
"""
from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> int:
    from fundus_app.datasets import cases, load_for_scoring

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", default="drive-test", help="dataset name (default drive-test)")
    args = ap.parse_args(argv)
    fov_px = fov_out = vessel_px = vessel_out = 0
    print("image | scoring-FOV px outside the estimate | vessel px among them | estimate outside the scoring FOV")
    for case in cases(args.set):
        sc = load_for_scoring(case)
        estimated, scored, vessel = sc.image.fov, sc.fov, sc.truth  # all (H, W) bool
        missed = scored & ~estimated
        print(
            f"{case.name} | {int(missed.sum())} | {int((vessel & missed).sum())} | {int((estimated & ~scored).sum())}"
        )
        fov_px, fov_out = fov_px + int(scored.sum()), fov_out + int(missed.sum())
        vessel_px, vessel_out = vessel_px + int((vessel & scored).sum()), vessel_out + int((vessel & missed).sum())
    print(f"total: {fov_out} of {fov_px} scoring-FOV px ({100 * fov_out / fov_px:.3f} %) and "
          f"{vessel_out} of {vessel_px} vessel px ({100 * vessel_out / vessel_px:.4f} %) outside the estimated FOV")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
