"""Product QA beside the package: pipeline speed and memory (bench_pipeline.py), loader fuzzing
(fuzz_loader.py), GUI timings (gui_probe.py). A package so tests import ``benchmarks.fuzz_loader``;
each also runs as ``python benchmarks/<file>.py`` with fundus_app installed."""
