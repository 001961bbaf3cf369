"""Balancing the cut stage's work between a fixed number of local workers. Pure.

The DirectRunner splits a stage's input between its workers up front, key by key in turn,
and never moves work afterwards: the worker that draws more of the big transcodes encodes
alone at the end while the others idle (BENCHMARKS.md, "Threads and workers"). On a laptop the
cut stage therefore deals its batches into one lane per worker itself, longest first, each to
the lane with the least work so far, from a rough cost. Runners that rebalance work as it runs
(Dataflow) get no lanes.
"""
from __future__ import annotations

import heapq
from typing import Iterable, Optional

from transforms.core.types import Action, ClipSpec

# A transcode decodes and encodes every pixel; a copy, remux or stream-copy cut only moves
# bytes. Relative weights, from the benchmark's figures: a 1080p second costs about as much to
# transcode as moving 20 MB.
_TRANSCODE_COST_PER_PIXEL_SECOND = 1.0 / (1920 * 1080)
_COPY_COST_PER_BYTE = 1.0 / 20_000_000


def clip_cost(spec: ClipSpec) -> float:
    """Roughly how long the clip takes to make, in units of one 1080p second of transcoding."""
    source = spec.source
    seconds = max(0.0, spec.end - spec.start)
    if spec.action is Action.TRANSCODE:
        return seconds * source.width * source.height * _TRANSCODE_COST_PER_PIXEL_SECOND
    if spec.action is Action.VIRTUAL:
        return 0.0
    share = seconds / source.duration if source.duration else 1.0
    return source.size_bytes * min(1.0, share) * _COPY_COST_PER_BYTE


def assign_lanes(costs: Iterable[tuple[str, float]], lanes: int) -> dict[str, int]:
    """Each batch key's lane: longest first, to the least loaded lane (ties: the lowest lane).

    Deterministic for the same input whatever its order, so a retried stage deals the same way.
    """
    heap = [(0.0, lane) for lane in range(lanes)]
    assigned = {}
    for key, cost in sorted(costs, key=lambda item: (-item[1], item[0])):
        load, lane = heapq.heappop(heap)
        assigned[key] = lane
        heapq.heappush(heap, (load + cost, lane))
    return assigned


def lane_order(lane: int, costs: dict[str, float]) -> list[str]:
    """The order one lane makes its batches in: the costliest first on even lanes, the cheapest
    first on odd lanes (ties: by key, so a retried lane makes them in the same order).

    A copy or a stream-copy cut moves bytes and leaves the cores to the encoders: made while the
    other lane encodes, it costs almost no wall time. Every lane made its batches in name order
    (big_*, then compliant_*, then long_*), so on the benchmark both lanes ended with their copies
    at once and the cores idled for 6.6 s of a 110 s run. An encode has every core's threads, so
    the odd lane's last, largest batch alone at the end still keeps the machine busy.
    """
    ordered = sorted(costs, key=lambda key: (-costs[key], key))
    return ordered if lane % 2 == 0 else ordered[::-1]


def local_lanes(workers: Optional[int], runner: Optional[str]) -> int:
    """One lane per local worker on the DirectRunner; none (0) elsewhere or with one worker."""
    if runner not in (None, "DirectRunner") or not workers or workers < 2:
        return 0
    return workers
