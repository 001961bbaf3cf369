from collections import Counter

import pytest

from transforms.core import stats as S

MAX_BYTES = 100_000_000
MAX_SECONDS = 1200.0


def index(split="train", clip_index=0, est_tokens=1000, action="copy", duration=60.0, bytes_=5_000_000):
    return {"split": split, "clip_index": clip_index, "est_tokens": est_tokens, "action": action,
            "duration": duration, "bytes": bytes_}


def drop(kind="row", stage="read", reason="bad_time"):
    return {"kind": kind, "stage": stage, "reason": reason}


def acc_of(examples=(), drops=(), sources=(), clips=()):
    acc = S.empty()
    for action, seconds, size in clips:
        S.add_clip(acc, action, seconds, size)
    for ex in examples:
        S.add_example(acc, ex, MAX_BYTES, MAX_SECONDS)
    for d in drops:
        S.add_drop(acc, d)
    for seconds, size in sources:
        S.add_source(acc, seconds, size)
    return acc


def test_add_example_counts_rows_once_per_row():
    acc = acc_of([index(clip_index=0, est_tokens=100), index(clip_index=1, est_tokens=50, action="cut"),
                  index("validation", 0, 7)])
    assert acc["examples"] == Counter({"train": 2, "validation": 1})
    assert acc["rows_out"] == Counter({"train": 1, "validation": 1})
    assert acc["tokens"] == Counter({"train": 150, "validation": 7})
    assert acc["examples_by_action"] == Counter({"copy": 2, "cut": 1})
    assert acc["clips_by_action"] == Counter()  # clips are counted from the clips, once each
    assert acc["over_limit"] == 0


def test_add_clip_counts_media_once_per_file():
    acc = acc_of(clips=[("copy", 60.0, 5_000_000), ("cut", 120.5, 10_000_000), ("cut", 30.0, 1)])
    assert acc["clips"] == 3
    assert acc["clips_by_action"] == Counter({"copy": 1, "cut": 2})
    assert acc["media_seconds_out"] == 210.5
    assert acc["media_bytes_out"] == 15_000_001


@pytest.mark.parametrize("bytes_, duration, over", [
    (MAX_BYTES, MAX_SECONDS, 0),
    (MAX_BYTES + 1, 60.0, 1),
    (1000, MAX_SECONDS + 0.5, 1),
])
def test_add_example_over_limit(bytes_, duration, over):
    assert acc_of([index(bytes_=bytes_, duration=duration)])["over_limit"] == over


def test_add_drop_row_vs_clip():
    acc = acc_of(drops=[drop(), drop(stage="plan", reason="too_long_for_response"),
                        drop(kind="clip", stage="cut", reason="cut_failed")])
    assert acc["rows_dropped"] == 2
    assert acc["drops_by_stage"] == Counter({"read": 1, "plan": 1})
    assert acc["drops_by_reason"] == Counter({"bad_time": 1, "too_long_for_response": 1})
    assert acc["clip_drops_by_reason"] == Counter({"cut_failed": 1})


def test_merge_adds_up():
    a = acc_of([index(est_tokens=10)], [drop()], [(10.5, 1000)])
    b = acc_of([index(est_tokens=5), index("validation", est_tokens=3, bytes_=MAX_BYTES + 1)],
               [drop(reason="no_target"), drop(kind="clip", reason="cut_failed")], [(4.25, 24)])
    total = S.merge([a, b, S.empty()])
    assert total["examples"] == Counter({"train": 2, "validation": 1})
    assert total["rows_out"] == Counter({"train": 2, "validation": 1})
    assert total["tokens"] == Counter({"train": 15, "validation": 3})
    assert total["rows_dropped"] == 2
    assert total["drops_by_reason"] == Counter({"bad_time": 1, "no_target": 1})
    assert total["clip_drops_by_reason"] == Counter({"cut_failed": 1})
    assert total["sources"] == 2
    assert total["media_seconds_in"] == 14.75
    assert total["media_bytes_in"] == 1024
    assert total["over_limit"] == 1
    # the inputs are untouched
    assert a["examples"] == Counter({"train": 1}) and a["sources"] == 1


def test_merge_of_nothing_is_empty():
    assert S.merge([]) == S.empty()


def test_finalize_document():
    acc = acc_of([index(est_tokens=10), index(clip_index=1, est_tokens=20, action="cut"),
                  index("validation", est_tokens=5)],
                 [drop()], [(100.0, 2000)])
    stats = S.finalize(acc, rows_in=3, max_drop_rate=0.5)
    assert stats["rows_in"] == 3
    assert stats["rows_out"] == 2
    assert stats["rows_dropped"] == 1
    assert stats["drop_rate"] == 0.333333
    assert stats["examples"] == {"train": 2, "validation": 1}
    assert stats["rows_out_by_split"] == {"train": 1, "validation": 1}
    assert stats["examples_by_action"] == {"copy": 2, "cut": 1}
    assert stats["est_tokens"] == {"train": 30, "validation": 5}
    assert stats["est_tokens_total"] == 35
    assert stats["sources"] == 1 and stats["media_bytes_in"] == 2000
    assert stats["gate"] == {"verdict": "pass", "reasons": [], "max_drop_rate": 0.5}


@pytest.mark.parametrize("rows_in, dropped, expected", [(10, 1, 0.1), (4, 1, 0.25), (0, 0, 0.0)])
def test_finalize_drop_rate(rows_in, dropped, expected):
    examples = [index(est_tokens=1) for _ in range(rows_in - dropped)]
    stats = S.finalize(acc_of(examples, [drop()] * dropped), rows_in, 1.0)
    assert stats["drop_rate"] == expected


def test_gate_passes_at_the_threshold():
    stats = S.finalize(acc_of([index()] * 9, [drop()]), rows_in=10, max_drop_rate=0.1)
    assert stats["gate"]["verdict"] == "pass"


def test_gate_fails_over_max_drop_rate():
    acc = acc_of([index()] * 8, [drop(), drop(reason="no_target"), drop(reason="no_target")])
    gate = S.finalize(acc, rows_in=11, max_drop_rate=0.1)["gate"]
    assert gate["verdict"] == "fail"
    (reason,) = gate["reasons"]
    assert "3 of 11 rows dropped" in reason
    assert "no_target x2, bad_time x1" in reason


def test_gate_fails_when_rows_do_not_add_up():
    gate = S.finalize(acc_of([index()] * 2, [drop()]), rows_in=4, max_drop_rate=0.5)["gate"]
    assert gate["verdict"] == "fail"
    assert any("rows do not add up: 4 in, 2 in the index, 1 dropped" in r for r in gate["reasons"])


def test_gate_fails_when_over_limit():
    gate = S.finalize(acc_of([index(bytes_=MAX_BYTES + 1)]), rows_in=1, max_drop_rate=0.1)["gate"]
    assert gate["verdict"] == "fail"
    assert gate["reasons"] == ["1 examples reference media over the limits; this is a bug, please report it"]


def test_gate_fails_without_train_examples():
    gate = S.finalize(acc_of([index("validation")]), rows_in=1, max_drop_rate=0.1)["gate"]
    assert gate["verdict"] == "fail"
    assert gate["reasons"] == ["no training examples were produced"]


def test_gate_fails_for_an_empty_run():
    gate = S.finalize(S.empty(), rows_in=0, max_drop_rate=0.1)["gate"]
    assert gate["verdict"] == "fail"
    assert gate["reasons"] == ["no training examples were produced"]
