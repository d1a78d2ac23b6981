"""The long-running context host: one process per context, a warm SparkSession, the context's
queue consumer, the job runner, named objects, heartbeats and graceful shutdown."""
