"""Does averaging the A/V probabilities along vessel segments help? Validation images only.

    python -m experiments.av_vote_probe runs/av_unet/best.pt [--radius 2 3 5]

For the A/V training's held-out images (rite_39, rite_40, lesav_49; never the test sets), the A/V map
with per-pixel classes against the map after ``model.arteryvein.vote_by_segment`` at each junction
radius, scored with ``metrics.av_scores`` (Zhou F1, artery/vein F1, accuracy).
"""
from __future__ import annotations

import argparse

from fundus_app.datasets import cases
from fundus_app.io import load_image, load_label_map
from fundus_app.io.loader import load_mask
from fundus_app.metrics import av_scores, mean_av_scores
from fundus_app.model.arteryvein import av_probabilities, label_map, vote_by_segment
from fundus_app.model.checkpoint import load_checkpoint
from fundus_app.model.inference import Segmenter
from fundus_app.model.torch_backend import TorchNetwork
from fundus_app.preprocess import enhance_colour, prepare
from fundus_app.train.av import AVTrainConfig


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("checkpoint")
    ap.add_argument("--radius", type=int, nargs="+", default=[2, 3, 5])
    ap.add_argument("--thresholds", type=float, nargs="+", default=[0.7],
                    help="vessel thresholds of the A/V map (the vessel mask it labels)")
    args = ap.parse_args()
    ckpt = load_checkpoint(args.checkpoint)
    net = TorchNetwork(ckpt, "cpu")
    vessel = Segmenter.load(anatomy=False)
    cfg = AVTrainConfig()
    items = [c for d in cfg.datasets for c in cases(d) if c.name in cfg.validation]
    results: dict[str, list] = {}
    for case in items:
        image = load_image(case.image)
        prepared = prepare(image, ckpt.preprocess)
        fov = load_mask(case.fov) if case.fov else image.fov
        truth = load_label_map(case.label)
        seg = vessel.segment(image)
        small_prob = vessel._predict_in_fov(prepared.x, prepared.fov, None)
        probs = av_probabilities(net, enhance_colour(prepared.rgb, prepared.fov, ckpt.preprocess), prepared.fov,
                                 multiple=ckpt.model_config.size_multiple)
        for t in args.thresholds:
            small_mask = (small_prob >= t) & prepared.fov
            results.setdefault(f"t {t} pixel", []).append(av_scores(label_map(probs, seg.mask(t)), truth, fov))
            for r in args.radius:
                voted = vote_by_segment(probs, small_mask, junction_radius=r)
                results.setdefault(f"t {t} vote r{r}", []).append(av_scores(label_map(voted, seg.mask(t)), truth, fov))
    for name, scores in results.items():
        m = mean_av_scores(scores)
        print(f"{name}: F1 {m.f1:.4f}  artery F1 {m.artery_f1:.4f}  vein F1 {m.vein_f1:.4f}  accuracy {m.accuracy:.4f}"
              f"  per image {[round(s.f1, 4) for s in scores]}")
    print(f"images: {[c.name for c in items]}; checkpoint {args.checkpoint} ({ckpt.info.get('step')} steps)")



if __name__ == "__main__":
    main()
