"""Multi-turn rows, system instructions and the oversize field, as the manifest reads them."""
import pytest

from transforms.core.conversation import ConversationError, parse_turns, role_problem
from transforms.core.manifest import parse_row
from transforms.core.types import Drop, DropReason, ManifestRow

LOC = "/d/m.jsonl:1"


def parse(raw):
    return parse_row({"video_uri": "v.mp4", **raw}, LOC, "/d")


@pytest.mark.parametrize("roles, problem", [
    (["user", "model"], ""),
    (["user", "model", "user", "model"], ""),
    (["model", "user"], "first turn must be the user's"),
    (["user", "user", "model"], "turns 0 and 1 are both 'user'"),
    (["user", "model", "user"], "last turn must be the model's"),
    (["user", "system", "model"], "role 'system'"),
    ([], "first turn must be the user's"),
])
def test_role_rules_as_googles_validator_checked_them(roles, problem):
    if problem:
        assert problem in role_problem(roles)
    else:
        assert role_problem(roles) == ""


def test_turns_as_texts_or_objects():
    assert parse_turns(["q", "a", {"role": "user", "text": "q2"}, "a2"]) == (
        ("user", "q"), ("model", "a"), ("user", "q2"), ("model", "a2"))


@pytest.mark.parametrize("value, message", [
    ([], "non-empty list"),
    ("q", "non-empty list"),
    (["q", ""], "turn 1 has no text"),
    (["q", {"role": "model", "parts": []}], "turn 1 must be a text or an object"),
    ([{"role": "model", "text": "a"}, "q"], "first turn"),
    (["q", "a", "q2"], "last turn"),
])
def test_bad_turns_say_what_is_wrong(value, message):
    with pytest.raises(ConversationError, match=message):
        parse_turns(value)


def test_a_multi_turn_row_reads_as_prompt_answer_and_later_turns():
    row = parse({"turns": ["What is shown?", "A grey screen.", "And then?", "It turns red."]})
    assert isinstance(row, ManifestRow)
    assert (row.prompt, row.response, row.annotations) == ("What is shown?", "A grey screen.", None)
    assert row.turns == (("user", "And then?"), ("model", "It turns red."))


@pytest.mark.parametrize("raw, reason, message", [
    ({"turns": ["q", "a"], "prompt": "p"}, DropReason.AMBIGUOUS_TARGET, "`turns` and `prompt`"),
    ({"turns": ["q", "a"], "annotations": []}, DropReason.AMBIGUOUS_TARGET, "`turns` and `annotations`"),
    ({"turns": ["q"]}, DropReason.MALFORMED_ROW, "last turn must be the model's"),
    ({"prompt": "p", "response": "r", "system_instruction": 3}, DropReason.MALFORMED_ROW, "must be a text"),
    ({"prompt": "p", "response": "r", "oversize": "shrink"}, DropReason.MALFORMED_ROW, "transcode, split, drop"),
])
def test_bad_rows_are_dropped_with_the_reason(raw, reason, message):
    drop = parse(raw)
    assert isinstance(drop, Drop) and drop.reason is reason and message in drop.detail, drop


def test_system_instruction_and_oversize_are_read():
    row = parse({"prompt": "p", "response": "r", "system_instruction": "You are terse.", "oversize": " Split"})
    assert (row.system_instruction, row.oversize) == ("You are terse.", "split")
    assert row.segment_key.endswith("|oversize=split")
    plain = parse({"prompt": "p", "response": "r"})
    assert (plain.system_instruction, plain.oversize, plain.turns) == (None, None, ())
    assert "oversize" not in plain.segment_key
