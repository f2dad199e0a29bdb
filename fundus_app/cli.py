"""The ``fundus-app`` command line: segment, batch, evaluate, report, train, gui.

Every failure the user can cause ends as one line on stderr and a non-zero
exit code, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fundus_app import __version__
from fundus_app.errors import FundusError


def _err(msg: str) -> None:
    print(f"fundus-app: error: {msg}", file=sys.stderr, flush=True)


def expand_inputs(items: Sequence[str]) -> list[Path]:
    """Files as given, and the image files inside folders (sorted, not recursive:
    ``batch.inputs.folder_images``, which keeps broken links so they get their one-line error)."""
    from fundus_app.batch.inputs import folder_images

    out: list[Path] = []
    for item in items:
        p = Path(item)
        out.extend(folder_images(p) if p.is_dir() else [p])
    return out


def unique_stems(paths: Sequence[Path]) -> list[str]:
    """Output stems; a repeated stem (same name in two folders) gets a numeric suffix."""
    seen: dict[str, int] = {}
    stems = []
    for p in paths:
        n = seen.get(p.stem, 0)
        seen[p.stem] = n + 1
        stems.append(p.stem if n == 0 else f"{p.stem}_{n + 1}")
    return stems


def _segmenter(args: argparse.Namespace):  # noqa: ANN202 - torch types stay out of the CLI import path
    from fundus_app.model.inference import Segmenter

    return Segmenter.load(args.model, device=args.device, flips=getattr(args, "flips", False),
                          backend=getattr(args, "backend", None))


def cmd_segment(args: argparse.Namespace) -> int:
    from fundus_app.atomic import ensure_writable_folder
    from fundus_app.outputs import OutputPaths, write_outputs
    from fundus_app.pipeline import analyse_file

    inputs = expand_inputs(args.files)
    if not inputs:
        raise FundusError("no input images were found.")
    out_dir = ensure_writable_folder(args.out)  # a read-only or blocked --out: one line, before the model loads
    segmenter = _segmenter(args)
    failed = 0
    for path, stem in zip(inputs, unique_stems(inputs), strict=True):
        if args.skip_done and OutputPaths.for_stem(out_dir, stem).json.is_file():
            print(f"{path.name}: already done, skipped")
            continue
        try:
            analysis = analyse_file(path, segmenter, crf=args.crf)
            image, seg = analysis.image, analysis.segmentation
            _, record = write_outputs(
                image, seg, out_dir, stem=stem, threshold=args.threshold, min_speck=args.min_speck
            )
        except FundusError as exc:
            _err(str(exc))
            failed += 1
            continue
        except Exception as exc:  # a bug must not stop the batch nor show a traceback
            _err(f"{path}: unexpected internal error ({type(exc).__name__}); please report it.")
            failed += 1
            continue
        bio = record["biomarkers"]
        if image.meta.get("warning"):  # multi-frame, non-ophthalmic modality ...: stdout, stderr is for failures
            print(f"{path.name}: warning: {image.meta['warning']}")
        print(f"{path.name}: vessel density {100 * bio['vessel_density']:.2f}%, fractal dimension "
              f"{bio['fractal_dimension']:.3f}{_calibre_summary(record)}, {seg.timings['total']:.2f} s")
    return 1 if failed else 0


def _calibre_summary(record: dict) -> str:
    """", AVR 0.71 (zone B)" or ", AVR not measurable (reason)" for the segment line; "" without an A/V model."""
    if record.get("av_model") is None:
        return ""
    avr = (record.get("calibre") or {}).get("avr")
    return f", AVR {avr:.2f} (zone B)" if avr is not None else f", AVR not measurable ({record.get('calibre_reason')})"


def cmd_batch(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from fundus_app.atomic import ensure_writable_folder
    from fundus_app.batch.cluster import ModelOptions, connect, dashboard_link, load_model_on_workers, run_batch
    from fundus_app.batch.inputs import count_items, iter_items, passthrough_columns
    from fundus_app.batch.table import open_table, table_columns
    from fundus_app.batch.task import TaskOptions

    if getattr(sys, "frozen", False):  # the desktop installer leaves Dask out
        raise FundusError('Batches on a cluster run from a Python installation (pip install "fundus-app[cluster]"), '
                          "not from the desktop installer; use segment here.")
    patient = (("patient_id_hash",) if args.anonymise else ()) + (("patient_name", "patient_id") if args.patient_data
                                                                  else ())
    columns = table_columns(passthrough_columns(args.inputs), patient_columns=patient)
    total = count_items(args.inputs, recursive=args.recursive)
    if not total:
        raise FundusError("no input images were found.")
    out_dir = ensure_writable_folder(args.out)
    table = Path(args.table) if args.table else out_dir / "batch.csv"
    options = TaskOptions(threshold=args.threshold, min_speck=args.min_speck, crf=args.crf, anonymise=args.anonymise,
                          patient_data=args.patient_data)
    with connect(args.scheduler, workers=args.workers, timeout=args.connect_timeout) as client:
        link = dashboard_link(client, local=not args.scheduler)
        if link and not args.quiet:
            print(f"Dask dashboard: {link}", file=sys.stderr, flush=True)
        load_model_on_workers(client, ModelOptions(args.model, args.device, args.backend, args.threads_per_worker))
        with open_table(table, columns) as writer, \
                tqdm(total=total, unit="image", disable=args.quiet, smoothing=0.05, file=sys.stderr) as bar:

            def on_row(row: dict) -> None:
                writer.write(row)
                bar.update(1)
                if row["status"] == "failed":
                    bar.write(f"fundus-app: error: {row['error']}", file=sys.stderr)

            summary = run_batch(client, iter_items(args.inputs, recursive=args.recursive), out_dir, options,
                                on_row=on_row)
    print(f"{summary.rows} of {total} images: {summary.done} segmented, {summary.skipped} already done, "
          f"{summary.failed} failed; table {table}")
    if summary.interrupted:
        _err("interrupted; the finished images are kept: run the same command again to do the rest.")
        return 130
    return 1 if summary.failed else 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from fundus_app.datasets import AV_DATASETS, cases, labelled_folder_cases
    from fundus_app.evaluation import evaluate_cases, format_table

    if args.dataset in AV_DATASETS:
        return _evaluate_av(args)
    if args.dataset and args.dataset.startswith("idrid-od-"):
        return _evaluate_disc(args)
    if args.dataset:
        items, name = cases(args.dataset), args.dataset
    else:
        if not args.labels:
            raise FundusError("--images needs --labels, the folder of the expert vessel labels.")
        items = labelled_folder_cases(args.images, args.labels, args.masks, label_suffix=args.label_suffix,
                                      mask_suffix=args.mask_suffix)
        name = Path(args.images).resolve().name or str(args.images)
    if args.limit:
        items = items[:args.limit]
    segmenter = _segmenter(args)
    result = evaluate_cases(segmenter, items, name, out_dir=args.out, crf=args.crf, threshold=args.threshold,
                            min_speck=args.min_speck)
    print(format_table(result))
    _write_result(args.json, result)
    return 0


def _write_result(path: str | None, result: dict) -> None:
    """``evaluate --json``: the result as JSON, written atomically (paths and tuples as text)."""
    if path:
        from fundus_app.atomic import write_bytes

        write_bytes(path, (json.dumps(result, indent=2, default=str) + "\n").encode("utf-8"))


def _evaluate_av(args: argparse.Namespace) -> int:
    """``evaluate --dataset rite-test | lesav-test``: A/V maps and calibres against the experts'."""
    from fundus_app.evaluation_av import evaluate_av_dataset, format_av_table

    result = evaluate_av_dataset(_segmenter(args), args.dataset, out_dir=args.out, limit=args.limit)
    print(format_av_table(result))
    _write_result(args.json, result)
    return 0


def _evaluate_disc(args: argparse.Namespace) -> int:
    """``evaluate --dataset idrid-od-test``: the optic-disc locator against IDRiD's labelled discs."""
    from fundus_app.evaluation_disc import evaluate_disc, format_disc_table
    from fundus_app.idrid import idrid_cases
    from fundus_app.model.disc import DiscLocator

    locator = DiscLocator.load(device=args.device)
    items = idrid_cases(args.dataset.removeprefix("idrid-od-"))
    result = {"dataset": args.dataset, "model": locator.name, "model_sha256": locator.sha256,
              **evaluate_disc(items[:args.limit] if args.limit else items, locator)}
    print(format_disc_table(result, args.dataset))
    _write_result(args.json, result)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from fundus_app.pipeline import analyse_file
    from fundus_app.report import write_report

    analysis = analyse_file(
        args.file, lambda: _segmenter(args), crf=args.crf
    )  # a bad file fails before the model loads
    path = write_report(
        analysis.image,
        analysis.segmentation,
        args.out,
        threshold=args.threshold,
        lang=args.lang,
        anonymise=args.anonymise,
        overwrite=args.force,
        min_speck=args.min_speck,
    )
    print(path)
    return 0


def _training_config(config_class: Any, options: dict) -> Any:
    """``config_class.from_dict(options)``, a bad option refused in one line; then log to stderr."""
    try:
        cfg = config_class.from_dict(options)
    except (TypeError, ValueError) as exc:
        raise FundusError(f"bad training configuration: {exc}") from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s",
                        handlers=[logging.StreamHandler(sys.stderr)])
    return cfg


def _train_other(task: str, options: dict, args: argparse.Namespace) -> int:
    """A recipe of another network (``task = "artery-vein"``): its own loop, the common flags."""
    if task != "artery-vein":
        raise FundusError(f"Unknown task '{task}' in {args.config}; choose vessels or artery-vein.")
    from fundus_app.train.av import AVTrainConfig, train_av

    options.update({k: getattr(args, k) for k in ("out_dir", "batch_size", "patch_size", "lr", "seed", "threads",
                                                  "steps") if getattr(args, k, None) is not None})
    if args.resume:
        options["resume"] = True
    print(train_av(_training_config(AVTrainConfig, options)))
    return 0


def cmd_gui(args: argparse.Namespace) -> int:
    from fundus_app.gui.app import run

    return int(run(list(args.paths), screenshot=args.screenshot, lang=args.lang))


def cmd_train(args: argparse.Namespace) -> int:
    if getattr(sys, "frozen", False):  # the installer ships the run time only: no torch
        raise FundusError("Training is not part of the installed workstation; run it from a source checkout "
                          "(README: make install, then fundus-app train).")
    from tqdm import tqdm

    from fundus_app.progress import Progress

    try:
        from fundus_app.train.loop import TrainConfig, train
    except ImportError as exc:
        if (exc.name or "").split(".")[0] != "torch":
            raise
        raise FundusError('Training needs PyTorch, which the run time does not: pip install "fundus-app[train]".') \
            from None
    from fundus_app.train.recipe import read_recipe

    options: dict = read_recipe(args.config) if args.config else {}
    task = options.pop("task", "vessels")
    if task != "vessels":
        return _train_other(task, options, args)
    flags = {key: getattr(args, key) for key in ("out_dir", "epochs", "steps_per_epoch", "batch_size", "patch_size",
                                                "lr", "seed", "device", "limit_images", "threads")
             if getattr(args, key) is not None}
    options.update(flags)
    if isinstance(options.get("finetune"), dict):  # flags override every stage, the fine-tune's own values too
        options["finetune"] = {**options["finetune"], **{k: v for k, v in flags.items() if k != "out_dir"}}
    if args.resume:
        options["resume"] = True
    if args.no_validation:
        options["validation"] = ()
    cfg = _training_config(TrainConfig, options)
    bar: tqdm | None = None  # opened at the first step, so a refused configuration prints one line, no bar
    stage = ""

    def progress(p: Progress) -> None:
        nonlocal bar, stage
        if bar is None or p.stage != stage:  # one bar per stage: stage 1 ("train"), then "finetune"
            if bar is not None:
                bar.close()
            bar, stage = tqdm(total=p.total, unit="step", desc=p.stage, disable=args.quiet, mininterval=5), p.stage
        bar.n = p.done
        bar.set_postfix(epoch=int(p.values["epoch"]), loss=f"{p.values['loss']:.3f}", refresh=False)
        bar.refresh() if bar.n % 50 == 0 else None

    try:
        best = train(cfg, on_progress=progress)
    finally:
        if bar is not None:
            bar.close()
    print(best)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fundus-app", description="Retinal vessel segmentation workstation "
                                     "(review support, not a diagnosis).")
    parser.add_argument("--version", action="version", version=f"fundus-app {__version__}")
    sub = parser.add_subparsers(dest="command")

    def model_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--model", help="a compatible checkpoint instead of the bundled one")
        p.add_argument("--device", default="auto", help="auto (default), cpu or cuda")
        p.add_argument("--backend", choices=["auto", "torch", "onnx"],
                       help="CPU inference engine: auto (ONNX Runtime when installed, else torch), torch, onnx "
                            "(default: $FUNDUS_BACKEND, else auto)")
        p.add_argument("--threshold", type=float, help="vessel threshold (default: the model's)")
        p.add_argument("--crf", action="store_true", help="refine with a dense CRF (slower)")

    p = sub.add_parser("segment", help="segment images or folders and write maps, overlay and biomarkers")
    p.add_argument("files", nargs="+", metavar="FILE", help="image files or folders")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--min-speck", dest="min_speck", type=int, default=0,
                   help="remove vessel fragments smaller than this many pixels")
    p.add_argument("--skip-done", dest="skip_done", action="store_true",
                   help="skip images whose JSON already exists in --out (resume a batch)")
    model_options(p)
    p.set_defaults(func=cmd_segment)

    p = sub.add_parser(
        "batch", help="segment many images (files, folders, manifest CSVs) on a Dask cluster or local workers",
        description="Segment every image of the inputs with Dask distributed: a local cluster of worker processes "
        "(default, one per core) or an existing scheduler (--scheduler). Each image gets the files 'segment' writes; "
        "the run gets one table, a row per image. A manifest is a CSV whose first column is the image path; its "
        "other columns are copied into the table. Run the same command again to resume: finished images are not "
        "computed again.")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="image files, folders or manifest .csv files")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--table", help="results table, .parquet or .csv (default: OUT/batch.csv)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, help="local worker processes (default: one per CPU core)")
    where.add_argument("--scheduler", help="address of a running Dask scheduler (tcp://host:8786); starts nothing")
    p.add_argument("--connect-timeout", dest="connect_timeout", type=float, default=10.0, metavar="SECONDS",
                   help="how long to try to reach --scheduler (default 10)")
    p.add_argument("--threads-per-worker", dest="threads_per_worker", type=int, default=1,
                   help="inference threads in each worker process (default 1: no oversubscription)")
    p.add_argument("--recursive", action="store_true", help="also the images in sub-folders of folder inputs")
    p.add_argument("--min-speck", dest="min_speck", type=int, default=0,
                   help="remove vessel fragments smaller than this many pixels")
    p.add_argument("--anonymise", action="store_true",
                   help="add a hash of the DICOM patient ID to the table (a linkage key), never the ID itself")
    p.add_argument("--patient-data", dest="patient_data", action="store_true",
                   help="add the DICOM patient name and ID to the table and the JSONs (off by default)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    model_options(p)
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser(
        "evaluate", help="score the model on a labelled dataset from its written files",
        description="Segment a labelled dataset, write the files 'segment' writes, read them back and score them "
        "inside the field of view (mean over images). Either a stored benchmark (--dataset) or any dataset laid out "
        "as folders (--images, --labels, optional --masks). Files are paired by name: the same name (HRF, LES-AV), "
        "the image name followed by _ - . or a space and more (01_h_mask, im0001.ah, 'STAR 01_OSC_GT'), or the same "
        "leading number (DRIVE: 01_test, 01_manual1); with --label-suffix/--mask-suffix exactly the image name plus "
        "that ending. Without --masks the field of view is estimated from each image.")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--dataset", choices=["drive-test", "stare-test", "hrf-sample", "drive-train", "stare-train",
                                              "rite-test", "lesav-test", "rite-train", "lesav-train",
                                              "idrid-od-test", "idrid-od-val"],
                        help="a stored benchmark: vessels (drive, stare, hrf), arteries and veins with calibre "
                             "(rite, lesav) or the optic disc (idrid-od: IDRiD's held-out test part)")
    source.add_argument("--images", help="folder of the images of a labelled dataset")
    p.add_argument("--labels", help="with --images: folder of the expert vessel labels (may be the images folder)")
    p.add_argument("--masks", help="with --images: folder of the field-of-view masks")
    p.add_argument("--label-suffix", dest="label_suffix",
                   help="labels are named image name + this ending (e.g. _1stHO for CHASE_DB1)")
    p.add_argument("--mask-suffix", dest="mask_suffix", help="masks are named image name + this ending")
    p.add_argument("--out", help="keep the written files here (default: a temporary folder)")
    p.add_argument("--json", help="also write the results as JSON")
    p.add_argument("--min-speck", dest="min_speck", type=int, default=0)
    p.add_argument("--flips", action="store_true", help="test-time flip averaging (slower)")
    p.add_argument("--limit", type=int, default=0, help="only the first N images")
    model_options(p)
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("report", help="segment one image and write a PDF report")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--out", required=True, help="PDF file to write")
    p.add_argument("--lang", choices=["en", "zh"], default="en")
    p.add_argument("--anonymise", action="store_true", help="omit patient name and ID (show a hash)")
    p.add_argument("--force", action="store_true", help="overwrite an existing PDF")
    p.add_argument("--min-speck", dest="min_speck", type=int, default=0,
                   help="remove vessel fragments smaller than this many pixels")
    model_options(p)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("gui", help="open the workstation window (the default without a command)")
    p.add_argument("paths", nargs="*", metavar="FILE|FOLDER")
    p.add_argument("--screenshot", help="save a PNG of the window after the first result, then exit")
    p.add_argument("--lang", choices=["en", "zh"])
    p.set_defaults(func=cmd_gui)

    p = sub.add_parser(
        "train",
        help="train a vessel model (DRIVE + STARE) or, with configs/av_unet.toml, the artery/vein model",
        description="Train a vessel model. Without --config: the shipped recipe's stage 1 (TrainConfig's "
        "defaults); configs/vessel_unet.toml is the whole shipped recipe, stage 1 then its fine-tune, each "
        "in its own folder of OUT_DIR (stage1/, finetune/). configs/av_unet.toml (task = \"artery-vein\") "
        "trains the artery/vein network on RITE and LES-AV from the bundled vessel model.",
    )
    p.add_argument("--config", help="TOML file with TrainConfig options (flags override it, in every stage)")
    p.add_argument("--out-dir", dest="out_dir")
    p.add_argument("--epochs", type=int)
    p.add_argument("--steps-per-epoch", dest="steps_per_epoch", type=int)
    p.add_argument("--steps", type=int, help="total steps (recipes counted in steps: artery-vein)")
    p.add_argument("--batch-size", dest="batch_size", type=int)
    p.add_argument("--patch-size", dest="patch_size", type=int)
    p.add_argument("--lr", type=float)
    p.add_argument("--seed", type=int)
    p.add_argument("--device")
    p.add_argument("--threads", type=int)
    p.add_argument("--limit-images", dest="limit_images", type=int, help="use only the first N images (smoke runs)")
    p.add_argument("--no-validation", action="store_true", help="train on all images, keep the last epoch")
    p.add_argument("--resume", action="store_true", help="continue from OUT_DIR/state.pt (each stage from its own)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_train)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["gui"])
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
