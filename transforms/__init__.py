"""The pipeline's stages and everything they call, in rooms by role.

stages/  the Beam stages, in the order they run:
         read_manifest (ReadManifest) -> probe (ProbeVideos) -> plan (PlanClips) -> cut (CutClips)
         -> build_examples (BuildExamples) -> cap_validation (CapValidation) -> write (WriteDataset)
         -> publish (PointLatest); and validate (ValidateDataset), behind `python -m pipeline.validate`
core/    pure decisions over plain values (no Beam, no I/O)
media/   PyAV and ffmpeg
store/   local files, gs://, http(s)
gemini/  the tuning service's rules and format
"""
