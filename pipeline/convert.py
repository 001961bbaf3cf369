"""Entry point: `python -m pipeline.convert FORMAT INPUT --output manifest.jsonl [--videos ROOT]
[--prompt TEXT] [--frame_rate N]`.

Turns an annotation tool's export, a public temporal dataset's annotations or subtitle files
into our manifest (transforms/convert/ has one pure parser per format). Every item that
cannot be converted is printed with its place in the input and counted; the exit code is
non-zero only when nothing was converted or the input cannot be read.
"""
from __future__ import annotations

import argparse
import json
import os
import posixpath
import sys
from typing import Optional, Sequence

from transforms.convert.formats import FORMATS
from transforms.convert.shared import Conversion, Settings, VideoIndex, mapping_from_csv


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.convert", description=__doc__.split("\n\n", 1)[1],
        epilog="formats: " + "; ".join(f"{name} ({f.numbers})" for name, f in FORMATS.items()))
    parser.add_argument("format", choices=sorted(FORMATS), metavar="FORMAT", help=", ".join(FORMATS))
    parser.add_argument("input", metavar="INPUT",
                        help="the export file (local or gs://); for srt/webvtt a subtitle file or a folder of them")
    parser.add_argument("--output", required=True, help="the manifest to write (JSONL, local or gs://)")
    parser.add_argument("--videos", default=None,
                        help="a folder or gs:// prefix where each video the export names is looked up (by name, "
                             "file name or stem), or a CSV with the columns name,video_uri (default: INPUT's folder)")
    parser.add_argument("--prompt", default=None, help="the prompt of every row (default: one per format)")
    parser.add_argument("--frame_rate", type=float, default=None,
                        help="label-studio: the labelling config's <Video frameRate> (default 24)")
    args = parser.parse_args(argv)
    if args.frame_rate is not None and args.frame_rate <= 0:
        parser.error("--frame_rate must be positive")
    return args


def _is_local(path: str) -> bool:
    return "://" not in path


# Local files are read and written here; anything else through the pipeline's storage layer,
# imported only then (Beam's file systems take seconds to import, a local conversion none).
def read_bytes(path: str) -> bytes:
    if _is_local(path):
        with open(path, "rb") as handle:
            return handle.read()
    from transforms.store import storage
    return storage.read_bytes(path)


def write_bytes(path: str, data: bytes) -> None:
    """The whole manifest at once: a half-written one is never left behind."""
    if _is_local(path):
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        tmp = f"{path}.tmp-{os.getpid()}"
        with open(tmp, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
        return
    from transforms.store import storage
    storage.write_bytes(path, data)


def list_files(root: str) -> list[str]:
    """Every file under a local folder or a gs:// prefix."""
    if _is_local(root):
        return [os.path.join(folder, name) for folder, _, names in os.walk(root) for name in names]
    from apache_beam.io.filesystems import FileSystems  # gs:// listing, as the pipeline reads it
    return [m.path for m in FileSystems.match([root.rstrip("/") + "/**"])[0].metadata_list]


def video_index(videos: Optional[str], input_path: str) -> VideoIndex:
    if videos and videos.lower().endswith(".csv"):
        text = read_bytes(_absolute(videos)).decode("utf-8-sig")
        return VideoIndex(mapping=mapping_from_csv(text, posixpath.dirname(_absolute(videos))))
    root = _absolute(videos) if videos else _folder_of(input_path)
    return VideoIndex(root, list_files(root))


def _absolute(path: str) -> str:
    return os.path.abspath(path) if _is_local(path) else path


def _folder_of(input_path: str) -> str:
    path = _absolute(input_path)
    if _is_local(path) and os.path.isdir(path):
        return path
    return posixpath.dirname(path.rstrip("/"))


def convert(args: argparse.Namespace) -> Conversion:
    fmt = FORMATS[args.format]
    settings = Settings(videos=video_index(args.videos, args.input), prompt=args.prompt,
                        frame_rate=args.frame_rate)
    source = _absolute(args.input)
    if not fmt.per_file:
        return fmt.convert(read_bytes(source), args.input, settings)
    out = Conversion()
    is_folder = _is_local(source) and os.path.isdir(source)
    files = sorted(f for f in list_files(source) if f.lower().endswith(fmt.extensions)) if is_folder else [source]
    if not files:
        raise OSError(f"no {'/'.join(fmt.extensions)} file in {args.input}")
    for path in files:
        relative = os.path.relpath(path, source) if is_folder else posixpath.basename(path)
        shown = os.path.join(args.input, relative) if is_folder else args.input
        out.extend(fmt.convert(read_bytes(path), shown, relative, settings))
    return out


def summary(conversion: Conversion, args: argparse.Namespace) -> str:
    annotations = sum(len(row.get("annotations", ())) for row in conversion.rows)
    if not conversion.rows:
        return f"{args.format} {args.input}: nothing converted; {args.output} not written"
    text = (f"{args.format} {args.input}: {len(conversion.rows)} rows ({annotations} annotations) "
            f"written to {args.output}; {len(conversion.errors)} items not converted")
    if args.format == "label-studio" and args.frame_rate is None:
        # The export does not say; a wrong rate scales every time, so say which one was used.
        text += "\nframes read at 24 fps, the <Video frameRate> default: pass --frame_rate if the config sets another"
    return text


def error_report(conversion: Conversion) -> str:
    """Every item that was not converted, with its place in the input."""
    return "".join(f"not converted: {error.text()}\n" for error in conversion.errors)


def run(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    try:
        conversion = convert(args)
    except (OSError, ValueError) as err:
        print(f"cannot read {args.input}: {err}", file=sys.stderr)
        return 2
    if conversion.rows:
        text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in conversion.rows)
        write_bytes(_absolute(args.output), text.encode("utf-8"))
    sys.stderr.write(error_report(conversion))
    print(summary(conversion, args))
    return 0 if conversion.rows else 1


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
