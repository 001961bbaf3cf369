"""What kind of place a URI names, and how a relative one is resolved. Pure; the one copy of each rule."""
from __future__ import annotations

import posixpath


def is_local(uri: str) -> bool:
    """A path on this machine's disk (no scheme)."""
    return "://" not in uri


def is_remote(uri: str) -> bool:
    """An http(s) URL: fetched with the address checks of store/fetch.py."""
    return uri.lower().startswith(("http://", "https://"))


def is_absolute(uri: str) -> bool:
    return "://" in uri or uri.startswith("/")


def resolve_uri(uri: str, base_dir: str) -> str:
    """A local path relative to `base_dir` (a manifest's folder) is joined to it; URIs stay as they are."""
    if is_absolute(uri):
        return uri
    scheme, sep, path = base_dir.rpartition("://")
    # normpath would fold the "//" of "gs://" too: normalise only the part after the scheme.
    return f"{scheme}{sep}{posixpath.normpath(posixpath.join(path, uri))}"
