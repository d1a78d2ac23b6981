"""A job worker: a process of a context's sandbox where job code runs (`python -m context_host.worker`).

It holds no AWS credentials and none of the server's settings; it joins the context's JVM as a
pyspark driver of its own, runs the jobs the host hands it one at a time, and reports their
outcomes over its socket. Nothing here imports the stores: whatever a job's outcome touches in
AWS, the host does."""
