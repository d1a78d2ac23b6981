"""Fixtures every test layer shares: the example job package, built as a user would upload it."""

from pathlib import Path

import pytest

from examples.build import build_package


@pytest.fixture(scope="session")
def example_egg(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return build_package(tmp_path_factory.mktemp("egg") / "example_jobs.egg").read_bytes()


@pytest.fixture(scope="session")
def package_with(tmp_path_factory: pytest.TempPathFactory):
    """Build a variant of the example package with some files replaced or added."""

    def build(overrides: dict[str, str]) -> bytes:
        target: Path = tmp_path_factory.mktemp("variant") / "example_jobs.egg"
        return build_package(target, overrides).read_bytes()

    return build
