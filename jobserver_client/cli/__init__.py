"""The `sjs` command: binaries, contexts and jobs of a job server from a terminal or a script."""
