"""PTransforms, DoFns and the pure logic they call. One stage per module:

read_manifest (ReadManifest) -> probe (ProbeVideos) -> plan (PlanClips) -> cut (CutClips)
-> build_examples (BuildExamples) -> write (WriteDataset).
"""
