"""Dataset-wide limits: the validation cap (moving whole videos to train), the gate, the cost."""
from __future__ import annotations

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing import test_pipeline
from apache_beam.testing.util import assert_that, equal_to

from transforms.core import stats as S
from transforms.stages.cap_validation import CapValidation
from transforms.core.dataset_limits import DatasetTargets, limit_reasons, sources_to_move
from transforms.gemini.profiles import GEMINI_25
from transforms.core.types import Example


def test_sources_to_move_keeps_at_most_the_cap_and_moves_whole_sources():
    counts = [(f"gs://b/v{i}.mp4", n) for i, n in enumerate([3, 1, 4, 1, 5, 9, 2, 6])]
    moved = sources_to_move(counts, cap=10)
    kept = sum(n for uri, n in counts if uri not in moved)
    assert kept <= 10 and moved
    # Nothing that was moved would still have fitted after the ones kept: the cap is used fully.
    assert all(kept + n > 10 for uri, n in counts if uri in moved)
    assert sources_to_move(list(reversed(counts)), cap=10) == moved  # order of arrival does not matter
    assert sources_to_move(counts, cap=100) == frozenset()


def _example(source: str, split: str, k: int) -> Example:
    return Example(split=split, sort_key=f"{source}{k}", line="{}",
                   index={"split": split, "source_uri": source, "row_id": f"{source}-{k}"})


def test_cap_validation_moves_the_excess_to_train_deterministically():
    examples = ([_example(f"v{i}", "validation", k) for i in range(6) for k in range(2)]
                + [_example("t", "train", k) for k in range(3)])
    expected_moved = sources_to_move([(f"v{i}", 2) for i in range(6)], cap=5)
    assert len(expected_moved) == 4  # two sources of two examples stay: 4 <= 5
    expected = sorted((e.index["source_uri"], "train" if e.index["source_uri"] in expected_moved else e.split)
                      for e in examples)
    options = PipelineOptions(["--runner=DirectRunner"])
    with test_pipeline.TestPipeline(options=options) as p:
        out = (p | beam.Create(examples) | CapValidation(5)
               | beam.Map(lambda e: (e.index["source_uri"], e.split if e.split == e.index["split"] else "mismatch")))
        assert_that(out, equal_to(expected))


def _stats(examples: dict, line_bytes: dict, tokens: dict) -> dict:
    acc = S.empty()
    for split, n in examples.items():
        for i in range(n):
            S.add_example(acc, {"split": split, "est_tokens": tokens[split] // n, "action": "copy",
                                "duration": 10.0, "bytes": 1000, "clip_index": 0,
                                "line_bytes": line_bytes[split] // n}, 100_000_000, 1200.0)
    return S.finalize(acc, sum(examples.values()), 0.1,
                      DatasetTargets(max_training_file_bytes=5_000, max_validation_examples=2, max_examples=8,
                                     epochs=3, price_per_million_tokens=4.0))


def test_gate_refuses_a_dataset_over_the_dataset_limits_and_says_what_to_change():
    stats = _stats({"train": 8, "validation": 3}, {"train": 8_000, "validation": 300},
                   {"train": 800_000, "validation": 3_000})
    assert stats["gate"]["verdict"] == "fail"
    reasons = " | ".join(stats["gate"]["reasons"])
    assert "train.jsonl is 8,000 bytes" in reasons and "split the manifest" in reasons
    assert "11 examples, over the 8" in reasons
    assert "3 validation examples, over the 2" in reasons and "--validation_fraction" in reasons
    assert stats["jsonl_bytes"] == {"train": 8_000, "validation": 300}
    assert stats["cost"]["billed_tokens"] == 2_400_000 and stats["cost"]["est_cost"] == 9.6


def test_gate_passes_within_the_limits():
    stats = _stats({"train": 4, "validation": 2}, {"train": 4_000, "validation": 200},
                   {"train": 4_000, "validation": 2_000})
    assert stats["gate"]["verdict"] == "pass", stats["gate"]
    assert limit_reasons(stats, DatasetTargets.from_profile(GEMINI_25)) == []


def test_per_resolution_length_limits_in_the_statistics():
    acc = S.empty()
    limits = {"LOW": 1200.0, "MEDIUM": 300.0}
    for resolution, seconds in (("LOW", 900.0), ("MEDIUM", 290.0), ("MEDIUM", 900.0)):
        S.add_example(acc, {"split": "train", "est_tokens": 1, "action": "cut", "duration": seconds, "bytes": 1,
                            "clip_index": 0, "media_resolution": resolution}, 100_000_000, limits)
    assert acc["over_limit"] == 1  # only the 900 s MEDIUM clip
