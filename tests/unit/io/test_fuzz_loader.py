"""Fuzz the loader (issue #8): mutated PNG/JPEG/TIFF/GIF/BMP/PGM/DICOM seeds end as a FundusImage
or an ImageLoadError, nothing else, and never hang.

The mutator lives in benchmarks/fuzz_loader.py, which runs the same property on
10,000 inputs and reports the counts (docs/robustness.md).
"""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks import fuzz_loader as fuzz

REPO = Path(__file__).resolve().parents[3]

SEEDS = fuzz.seed_corpus()
#: Seconds one input may take before it counts as a hang (the slowest of 10,000 took 0.24 s on a busy CPU).
PER_INPUT_S = 5.0

positions = st.integers(0, 600) | st.integers(0, 1 << 16)
ops = st.one_of(
    st.tuples(st.just("flip"), positions, st.integers(0, 7)),
    st.tuples(st.just("truncate"), positions),
    st.tuples(st.just("insert"), positions, st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("overwrite"), positions, st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("field"), st.integers(0, 63), st.sampled_from(fuzz.INTERESTING)),
)


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.mark.parametrize("seed", SEEDS, ids=[s.name for s in SEEDS])
def test_every_seed_loads(seed, fuzz_dir: Path) -> None:
    """Mutations only mean something if the unmutated seed is a valid image."""
    outcome, detail, _ = fuzz.run_one(fuzz_dir / seed.name, seed.data, PER_INPUT_S)
    assert outcome == "loaded", detail
    assert seed.fields, "each seed lists header fields for the 'field' mutation"


@settings(max_examples=300, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(seed=st.sampled_from(SEEDS), mutations=st.lists(ops, min_size=1, max_size=4),
       other_extension=st.sampled_from([None, None, None, ".png", ".dcm", ".jpg"]))
def test_mutated_inputs_load_or_fail_cleanly(seed, mutations, other_extension, fuzz_dir: Path) -> None:
    data = fuzz.mutate(seed, mutations)
    path = fuzz_dir / f"input{other_extension or Path(seed.name).suffix}"
    outcome, detail, seconds = fuzz.run_one(path, data, PER_INPUT_S)
    assert outcome in ("loaded", "ImageLoadError"), detail
    assert seconds < PER_INPUT_S


def test_mutator_changes_the_input() -> None:
    """Guards the property above against a mutator that silently does nothing."""
    png = next(s for s in SEEDS if s.name == "seed.png")
    assert fuzz.mutate(png, [("flip", 0, 0)])[0] == png.data[0] ^ 1
    assert len(fuzz.mutate(png, [("truncate", 10)])) == 10
    assert fuzz.mutate(png, [("field", 0, 50000)])[16:20] == (50000).to_bytes(4, "big")
    dcm = next(s for s in SEEDS if s.name == "seed.dcm")
    assert fuzz.mutate(dcm, [("field", 0, 7)]) != dcm.data


def test_a_hang_is_reported_not_waited_for(fuzz_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-input time bound works: a loader that sleeps is cut off and counted as a timeout."""
    if not hasattr(fuzz.signal, "setitimer"):
        pytest.skip("needs SIGALRM")
    import time

    monkeypatch.setattr(fuzz, "load_image", lambda path: time.sleep(30))
    outcome, _, seconds = fuzz.run_one(fuzz_dir / "x.png", b"x", 0.2)
    assert outcome == "timeout" and seconds < 2
