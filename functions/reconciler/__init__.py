"""The scheduled reconciler: keeps context and job state truthful when hosts die silently."""
