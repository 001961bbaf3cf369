"""Rows of several videos (`video_uris`): one part row per video, and one outcome per row. Pure.

Every stage works on one source at a time, so a row of N videos is planned as N "part rows",
each a whole-video `response` row on its own video, with the row's id and location. Each is
probed, planned and cut on its own and must fit ONE clip (an example cannot be chunked across
several videos). `assemble` then joins the parts: all N arrived, the row is one example; any
part dropped, the row is one drop (the first part's reason, naming the video), so a row is
accounted for exactly once however many of its videos fail.
"""
from __future__ import annotations

from typing import Optional, Sequence

from transforms.core.types import BuiltPart, Drop, DropReason, ManifestRow, Stage


def is_multi(row: ManifestRow) -> bool:
    return len(row.videos) > 1


def part_rows(row: ManifestRow) -> list[ManifestRow]:
    """One row per video: its own URI and resolution (else the row's), a whole-video task.

    The part rows carry no answer of their own: the example's texts are the row's, written once
    by `assemble`; the part only needs a fixed target so that the planner asks for one clip.
    """
    count = len(row.videos)
    return [row.model_copy(update={
        "video_uri": uri, "media_resolution": resolution or row.media_resolution, "part_index": i,
        "part_count": count, "videos": (), "response": row.response if row.response is not None else "",
        "annotations": None})
        for i, (uri, resolution) in enumerate(row.videos)]


def too_many_videos(row: ManifestRow, limit: int, profile_name: str) -> Optional[Drop]:
    """The drop of a row with more videos than the profile lets one example have."""
    if len(row.videos) <= limit:
        return None
    return Drop(row_id=row.row_id, source_uri=row.video_uri, stage=Stage.READ, reason=DropReason.TOO_MANY_VIDEOS,
                detail=f"the row has {len(row.videos)} videos but a {profile_name} tuning example takes at most "
                       f"{limit}; give each video its own row, or tune with --profile gemini-3",
                location=row.location)


def part_label(row: ManifestRow, uri: str) -> str:
    """`video 2 of 3 (uri)`: which video of a row a drop is about."""
    uris = [u for u, _ in row.videos]
    where = f"video {uris.index(uri) + 1} of {len(uris)}" if uri in uris else f"a video of {len(uris)}"
    return f"{where} ({uri})"


def assemble(row: ManifestRow, parts: Sequence[BuiltPart], drops: Sequence[Drop]) -> list[BuiltPart] | Drop:
    """The row's parts in order, or the one drop that accounts for the row."""
    if drops:
        first = sorted(drops, key=lambda d: (_position(row, d.source_uri), d.stage.value, d.reason.value,
                                             d.detail))[0]
        return Drop(row_id=row.row_id, source_uri=first.source_uri, stage=first.stage, reason=first.reason,
                    detail=f"{part_label(row, first.source_uri)}: {first.detail}", location=row.location)
    by_index = {p.part_index: p for p in parts}
    missing = [i for i in range(len(row.videos)) if i not in by_index]
    if missing:  # every part row ends as a part or a drop; this guards the join, it should not happen
        return Drop(row_id=row.row_id, source_uri=row.videos[missing[0]][0], stage=Stage.BUILD,
                    reason=DropReason.CLIP_LOST,
                    detail=f"{part_label(row, row.videos[missing[0]][0])}: its clip never reached the "
                           "example; please report this", location=row.location)
    return [by_index[i] for i in range(len(row.videos))]


def _position(row: ManifestRow, uri: str) -> int:
    uris = [u for u, _ in row.videos]
    return uris.index(uri) if uri in uris else len(uris)
