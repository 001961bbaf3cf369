"""Media code: PyAV probing (out of process), ffmpeg commands, the byte readers and guards."""
