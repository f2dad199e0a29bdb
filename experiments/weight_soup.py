"""Average the weights of fine-tunes of one model ("model soup"), scored on the validation images (issue 3).

    python -m experiments.weight_soup OUT.pt models/vessel_unet.pt runs/a/last.pt runs/b/last.pt ... [--greedy]

Wortsman et al., "Model soups: averaging weights of multiple fine-tuned models improves accuracy
without increasing inference time", ICML 2022. Every ingredient must have the first one's network
(same ``model_config``); fine-tunes started from the same weights lie in one basin, where the
average of their weights can rank pixels better than any of them, at no cost in time or memory.
The soup keeps the first ingredient's preprocessing (the product's working-scale rule); its
threshold is re-selected on the validation images of the first ingredient's training run (never
the test sets) by ``fundus_app.evaluation.select_threshold``, as ``scripts/calibrate_threshold.py``
does. Every float tensor is averaged, BatchNorm running statistics included (what the training's
weight averaging does too); integer buffers (BatchNorm's step counter) are the first ingredient's.

Prints each ingredient's and the soup's validation mean F1 (at its own best threshold) and mean AUC.
``--greedy``: the greedy soup instead of the uniform one: ingredients in order of their validation
F1, each kept only if the soup's validation F1 does not fall (with three validation images that
selection is itself noisy; the uniform soup chooses nothing).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from fundus_app.evaluation import select_threshold
from fundus_app.model.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from fundus_app.model.inference import Segmenter
from fundus_app.train.recipe import checkpoint_splits


def averaged_weights(checkpoints: list[Checkpoint]) -> dict[str, torch.Tensor]:
    """The element-wise mean of the float tensors of ``checkpoints``' state dicts (others: the first's)."""
    first = checkpoints[0]
    for other in checkpoints[1:]:
        if other.model_config != first.model_config or other.state_dict.keys() != first.state_dict.keys():
            raise ValueError("every ingredient of a soup must have the same network")
    soup = {}
    for key, tensor in first.state_dict.items():
        if tensor.is_floating_point():
            soup[key] = torch.stack([c.state_dict[key].float() for c in checkpoints]).mean(dim=0).to(tensor.dtype)
        else:
            soup[key] = tensor.clone()
    return soup


def with_weights(template: Checkpoint, state_dict: dict[str, torch.Tensor], members: list[str]) -> Checkpoint:
    """``template`` (its network, preprocessing and training record) carrying ``state_dict``."""
    return Checkpoint(model_config=template.model_config, preprocess=template.preprocess, state_dict=state_dict,
                      threshold=template.threshold, name=template.name,
                      info={**template.info, "soup_of": json.dumps(members)})


def validated(ckpt: Checkpoint, validation: list) -> dict:
    return select_threshold(Segmenter.from_checkpoint(ckpt, device="cpu"), validation)


def describe(label: str, result: dict) -> str:
    return (f"{label}: validation mean F1 {result['mean_f1']:.4f} at {result['threshold']:.2f}, "
            f"AUC {result['mean_auc']:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument(
        "ingredients", type=Path, nargs="+", help="checkpoints; the first gives preprocessing and validation split"
    )
    parser.add_argument(
        "--greedy", action="store_true", help="greedy soup (keep an ingredient only if validation F1 holds)"
    )
    args = parser.parse_args()
    loaded = [load_checkpoint(p) for p in args.ingredients]
    template = loaded[0]
    _, validation = checkpoint_splits(template)
    # every ingredient scored with the template's preprocessing: the soup will segment with it
    scored = []
    for path, ckpt in zip(args.ingredients, loaded, strict=True):
        result = validated(with_weights(template, ckpt.state_dict, [str(path)]), validation)
        print(describe(str(path), result), flush=True)
        scored.append((result["mean_f1"], str(path), ckpt))
    if args.greedy:
        scored.sort(key=lambda s: -s[0])
        members, best = [scored[0]], scored[0][0]
        for candidate in scored[1:]:
            trial = with_weights(template, averaged_weights([c for _, _, c in members + [candidate]]),
                                 [p for _, p, _ in members + [candidate]])
            result = validated(trial, validation)
            kept = result["mean_f1"] >= best
            print(describe(f"  + {candidate[1]} ({'kept' if kept else 'left out'})", result), flush=True)
            if kept:
                members, best = members + [candidate], result["mean_f1"]
    else:
        members = scored
    names = [p for _, p, _ in members]
    soup = with_weights(template, averaged_weights([c for _, _, c in members]), names)
    result = validated(soup, validation)
    print(describe(f"soup of {len(names)}", result), flush=True)
    soup.threshold = result["threshold"]
    soup.info = {**soup.info, "threshold_selection": json.dumps(result)}
    save_checkpoint(soup, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
