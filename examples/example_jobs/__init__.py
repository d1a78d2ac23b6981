"""Spark jobs in spark-jobserver's Python style; they import nothing of this server but its API."""
