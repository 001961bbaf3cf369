"""The fuzzer's mutations: seeded (a variant replays from its seed and index), and each kind
really damages what it says it does."""
from __future__ import annotations

import random
import struct

import pytest

from benchmarks.faults import mutate as M
from benchmarks.faults.fuzz import CONTAINERS, make_seeds


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    return make_seeds(str(tmp_path_factory.mktemp("seeds")))


def test_a_variant_replays_from_its_seed_and_index(seeds):
    for container in CONTAINERS:
        for index in range(20):
            a = M.mutate(seeds[container], container, M.variant_rng(15, container, index))
            b = M.mutate(seeds[container], container, M.variant_rng(15, container, index))
            assert a == b
    assert M.mutate(seeds["mp4"], "mp4", M.variant_rng(15, "mp4", 1)).data != \
        M.mutate(seeds["mp4"], "mp4", M.variant_rng(16, "mp4", 1)).data


def test_every_variant_differs_from_its_seed(seeds):
    for container in CONTAINERS:
        for index in range(50):
            variant = M.mutate(seeds[container], container, M.variant_rng(15, container, index))
            assert variant.data != seeds[container], (container, index, variant.kind, variant.detail)


def test_the_mp4_walker_finds_the_sample_table(seeds):
    kinds = {box.kind for box in M.mp4_boxes(seeds["mp4"])}
    assert {b"ftyp", b"moov", b"mdat", b"trak", b"stbl", b"stsz", b"stco", b"stts"} <= kinds


def test_huge_count_overwrites_a_table_count(seeds):
    data = seeds["mp4"]
    variant = M.mp4_huge_count(data, random.Random(3))[1]
    before = {b.offset: b for b in M.mp4_boxes(data) if b.kind in M._MP4_TABLES}
    changed = [o for o, b in before.items()
               if variant[o + 8 + M._MP4_TABLES[b.kind]:o + 12 + M._MP4_TABLES[b.kind]]
               != data[o + 8 + M._MP4_TABLES[b.kind]:o + 12 + M._MP4_TABLES[b.kind]]]
    assert len(changed) == 1
    box = before[changed[0]]
    at = box.offset + 8 + M._MP4_TABLES[box.kind]
    assert struct.unpack(">I", variant[at:at + 4])[0] in M._HUGE


def test_moov_and_mdat_swap_places(seeds):
    data = seeds["mp4"]
    order = [b.kind for b in M.mp4_boxes(data) if b.depth == 0]
    _, swapped = M.mp4_swap_moov_mdat(data, random.Random(0))
    new_order = [b.kind for b in M.mp4_boxes(swapped) if b.depth == 0]
    assert len(swapped) == len(data)
    assert order.index(b"moov") > order.index(b"mdat")
    assert new_order.index(b"moov") < new_order.index(b"mdat")


def test_every_container_gets_its_own_kinds_of_damage(seeds):
    for container in CONTAINERS:
        kinds = {M.mutate(seeds[container], container, M.variant_rng(15, container, i)).kind.split("+")[0]
                 for i in range(60)}
        own = {k.__name__ for k in M.BY_CONTAINER[container]}
        assert kinds & own, (container, kinds)
