"""Beam stages: one public PTransform per module, named like the stage; DoFns stay private."""
