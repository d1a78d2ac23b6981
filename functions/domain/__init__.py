"""What the API functions do, apart from HTTP: binaries, contexts, jobs and keeping state truthful."""
