"""Benchmarks: measured figures, never timed assertions in tests."""
