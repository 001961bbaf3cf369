from __future__ import annotations

import json

import pytest

from transforms.gemini.examples import annotation_answer, example_line
from transforms.core.types import Annotation
from transforms.report.answers import Event, answer_events, label_of, line_facts


def test_events_of_the_answer_the_pipeline_writes():
    answer = annotation_answer([Annotation(start=5.0, end=9.0, fields={"label": "green"}),
                                Annotation(start=61.4, fields={"text": "goal", "team": "home"})])
    assert answer_events(answer) == [Event(5.0, 9.0, "green"), Event(61.0, None, "goal")]


def test_line_facts_reads_a_whole_line():
    line = example_line("gs://b/media/x.mp4", "video/mp4", "List events.",
                        annotation_answer([Annotation(start=1.0, end=2.0, fields={"label": "red"})]), "LOW")
    facts = line_facts(line)
    assert facts.has_events and facts.events == (Event(1.0, 2.0, "red"),)


@pytest.mark.parametrize("answer", ["A grey screen.", "```json\n{not json\n```", '```json\n{"a": 1}\n```'])
def test_an_answer_that_is_no_event_array_has_no_events(answer):
    assert answer_events(answer) is None
    line = example_line("x.mp4", "video/mp4", "p", answer, "LOW")
    assert line_facts(line).has_events is False


def test_items_without_a_readable_time_are_left_out():
    answer = "```json\n" + json.dumps([{"start": "soon"}, {"label": "x"}, {"start": "00:03", "label": "ok"}]) + "\n```"
    assert answer_events(answer) == [Event(3.0, None, "ok")]


@pytest.mark.parametrize("item, label", [({"label": "a", "text": "b"}, "a"), ({"text": "b"}, "b"),
                                         ({"start": "0:01", "team": "home"}, "home"), ({"start": 1}, "event"),
                                         ({"label": True, "kind": "k"}, "k")])
def test_label_of(item, label):
    assert label_of(item) == label
