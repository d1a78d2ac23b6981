"""The HTTP API function: spark-jobserver's REST routes on a Powertools resolver."""
