"""Machine-dependent settings in one place: data folder, threads, inference backend, shipped folders.

Precedence: the defaults here < environment variables < explicit arguments (CLI flags, API
parameters). Nothing else in the package reads ``FUNDUS_*`` variables.

| variable | setting | default |
|---|---|---|
| ``FUNDUS_DATA`` | folder of the benchmark datasets (``DRIVE/`` ...) | ``../shared/data`` beside the checkout |
| ``FUNDUS_THREADS`` | CPU threads for inference (0: the library's choice) | 0 |
| ``FUNDUS_BACKEND`` | inference engine: auto, torch or onnx | auto |
| ``FUNDUS_MODELS_DIR`` | folder of the bundled models and their manifest | set by the installer's runtime hook |
| ``FUNDUS_RESOURCES`` | folder of fonts, icons, translations, samples | set by the installer's runtime hook |
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from fundus_app.errors import FundusError

#: The source checkout this package runs from (unused by an installed bundle, which sets the folders).
CHECKOUT = Path(__file__).resolve().parents[1]
BACKENDS = ("auto", "torch", "onnx")


@dataclass(frozen=True)
class Settings:
    """The machine's settings; see the module docstring for where each comes from."""

    data_dir: Path
    threads: int = 0
    backend: str = "auto"
    models_dir: Path | None = None
    resources_dir: Path | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        threads = env.get("FUNDUS_THREADS", "").strip() or "0"
        if not threads.isdigit():
            raise FundusError(f"FUNDUS_THREADS must be a whole number of threads, not '{threads}'.")
        backend = (env.get("FUNDUS_BACKEND", "").strip() or "auto").lower()
        if backend not in BACKENDS:
            raise FundusError(f"FUNDUS_BACKEND must be one of {', '.join(BACKENDS)}, not '{backend}'.")

        def folder(name: str) -> Path | None:
            return Path(env[name]) if env.get(name) else None

        return cls(data_dir=folder("FUNDUS_DATA") or CHECKOUT.parent / "shared" / "data", threads=int(threads),
                   backend=backend, models_dir=folder("FUNDUS_MODELS_DIR"),
                   resources_dir=folder("FUNDUS_RESOURCES"))


def settings() -> Settings:
    """The settings now (read on each call: tests and the installer's hook set variables at run time)."""
    return Settings.from_environment()
