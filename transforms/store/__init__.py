"""Where bytes live: local files and gs:// through Beam FileSystems, GCS server-side ops, http(s) fetches."""
