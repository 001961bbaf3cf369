"""A drop's detail quotes the tool's last error lines, never what changes from run to run."""
from __future__ import annotations

from transforms.media.sandbox import error_tail
from transforms.stages.probe import classify_child_failure

# What ffmpeg printed for a mutated MPEG-TS in the fuzzer (benchmarks/faults/fuzz.py), twice.
RUN_1 = ("[mpegts @ 0x55d0c0a3e2c0] Packet corrupt\n[out#0/mp4 @ 0x56419b37d300] Error muxing a packet\n"
         "[out#0/mp4 @ 0x56419b37d300] Task finished with error code: -1094995529 (Invalid data)\n")
RUN_2 = RUN_1.replace("0x56419b37d300", "0x55b07a0fbf80").replace("0x55d0c0a3e2c0", "0x5611aa00bb10")


def test_the_tail_is_the_same_on_every_run():
    assert error_tail(RUN_1) == error_tail(RUN_2) == (
        "[mpegts] Packet corrupt | [out#0/mp4] Error muxing a packet | "
        "[out#0/mp4] Task finished with error code: -1094995529 (Invalid data)")
    assert error_tail(RUN_1, lines=1) == "[out#0/mp4] Task finished with error code: -1094995529 (Invalid data)"


def test_the_probe_childs_failure_detail_is_stable_too():
    assert classify_child_failure(1, RUN_1) == classify_child_failure(1, RUN_2)
    assert "0x" not in classify_child_failure(1, RUN_1)[1]
