"""The ``fundus-app`` command line: segment, evaluate, report, train, gui.

Every failure the user can cause ends as one line on stderr and a non-zero
exit code, never a traceback.
"""
from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from fundus_app import __version__
from fundus_app.errors import FundusError


def _err(msg: str) -> None:
    print(f"fundus-app: error: {msg}", file=sys.stderr, flush=True)


def cmd_train(args: argparse.Namespace) -> int:
    import tomllib

    from tqdm import tqdm

    from fundus_app.train.loop import TrainConfig, train

    options: dict = {}
    if args.config:
        with open(args.config, "rb") as fh:
            options.update(tomllib.load(fh))
    for key in ("out_dir", "epochs", "steps_per_epoch", "batch_size", "patch_size", "lr", "seed", "device",
                "limit_images", "threads"):
        value = getattr(args, key)
        if value is not None:
            options[key] = value
    if args.resume:
        options["resume"] = True
    if args.no_validation:
        options["validation"] = ()
    try:
        cfg = TrainConfig.from_dict(options)
    except (TypeError, ValueError) as exc:
        raise FundusError(f"bad training configuration: {exc}") from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s",
                        handlers=[logging.StreamHandler(sys.stderr)])
    bar = tqdm(total=cfg.epochs * cfg.steps_per_epoch, unit="step", disable=args.quiet, mininterval=5)

    def progress(p: dict) -> None:
        bar.n = (p["epoch"] - 1) * p["steps"] + p["step"]
        bar.set_postfix(epoch=p["epoch"], loss=f"{p['loss']:.3f}", refresh=False)
        bar.refresh() if bar.n % 50 == 0 else None

    best = train(cfg, on_progress=progress)
    bar.close()
    print(best)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fundus-app", description="Retinal vessel segmentation workstation "
                                     "(review support, not a diagnosis).")
    parser.add_argument("--version", action="version", version=f"fundus-app {__version__}")
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("train", help="train a vessel model on DRIVE + STARE training images")
    p.add_argument("--config", help="TOML file with TrainConfig options (flags override it)")
    p.add_argument("--out-dir", dest="out_dir")
    p.add_argument("--epochs", type=int)
    p.add_argument("--steps-per-epoch", dest="steps_per_epoch", type=int)
    p.add_argument("--batch-size", dest="batch_size", type=int)
    p.add_argument("--patch-size", dest="patch_size", type=int)
    p.add_argument("--lr", type=float)
    p.add_argument("--seed", type=int)
    p.add_argument("--device")
    p.add_argument("--threads", type=int)
    p.add_argument("--limit-images", dest="limit_images", type=int, help="use only the first N images (smoke runs)")
    p.add_argument("--no-validation", action="store_true", help="train on all images, keep the last epoch")
    p.add_argument("--resume", action="store_true", help="continue from OUT_DIR/state.pt")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_train)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(args.func(args))
    except FundusError as exc:
        _err(str(exc))
        return 1
    except KeyboardInterrupt:
        _err("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
