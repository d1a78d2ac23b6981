"""The job author's API, importable exactly as spark-jobserver's Python jobs import it."""
