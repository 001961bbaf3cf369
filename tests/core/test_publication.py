"""Which files a passing run copies and deletes, in which order; LATEST's bytes; the failure's text."""
import json

import pytest

from transforms.core import publication as P


def test_new_files_first_then_stale_ones_deleted_then_stats_last():
    staged = ["stats.json", "train.jsonl", "drops.jsonl", "shards/train-00000-of-00001.jsonl",
              "index/part-00000-of-00001.parquet", "drops/part-00000-of-00001.jsonl"]
    published = ["stats.json", "train.jsonl", "validation.jsonl", "drops.jsonl",
                 "shards/train-00000-of-00002.jsonl", "shards/train-00001-of-00002.jsonl",
                 "index/part-00000-of-00002.parquet"]
    steps = P.promotion_steps(staged, published)
    assert steps[-1] == ("copy", "stats.json")
    copies = [name for action, name in steps[:-1] if action == "copy"]
    deletes = [name for action, name in steps if action == "delete"]
    assert sorted(copies) == sorted(set(staged) - {"stats.json"})
    assert deletes == ["index/part-00000-of-00002.parquet", "shards/train-00000-of-00002.jsonl",
                       "shards/train-00001-of-00002.jsonl", "validation.jsonl"]
    assert max(steps.index(("copy", n)) for n in copies) < min(steps.index(("delete", n)) for n in deletes)


def test_temp_files_and_foreign_files_are_never_touched():
    steps = P.promotion_steps(["stats.json", "train.jsonl.tmp-abc", "notes.txt"],
                              ["LATEST", "media/x.mp4", "runs/r1/train.jsonl", "README"])
    assert steps == [("copy", "stats.json")]


def test_a_staged_dataset_without_stats_is_not_promoted():
    with pytest.raises(ValueError, match="stats.json"):
        P.promotion_steps(["train.jsonl"], [])


def test_pointer_names_only_the_splits_given():
    assert json.loads(P.pointer("gs://b/ds/runs/n1", {"train": "gs://b/ds/runs/n1/train.jsonl"})) == {
        "dataset": "gs://b/ds/runs/n1", "train": "gs://b/ds/runs/n1/train.jsonl"}


def test_the_failure_names_the_reasons_and_the_refused_folder():
    text = P.gate_failure({"gate": {"verdict": "fail", "reasons": ["a", "b"]}}, "gs://b/ds/_incoming")
    assert text.startswith(P.GATE_FAILED) and "a; b" in text and "gs://b/ds/_incoming" in text
