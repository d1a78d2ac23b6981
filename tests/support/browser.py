"""Headless Chromium for the browser tests (the web UI, Swagger UI's Try it out): Playwright
driving the system's chromium (Debian's package, which `make test` installs as root), never a
browser Playwright downloads. Screenshots are kept under tests/artifacts/ (git-ignored)."""

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

ARTIFACTS = Path(__file__).parent.parent / "artifacts"
CANDIDATES = ("chromium", "chromium-browser", "/usr/lib/chromium/chromium", "google-chrome")


def chromium_path() -> str | None:
    """CHROMIUM if set, else the first Chromium on this machine."""
    for candidate in (os.environ.get("CHROMIUM"), *CANDIDATES):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


@contextmanager
def chromium() -> Iterator[Browser]:
    path = chromium_path()
    if path is None:
        pytest.skip("no Chromium on this machine: as root `apt-get install chromium`, or set CHROMIUM")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot kept as a test artefact; its path is printed for the run's log."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    print(f"screenshot: {path}")
    return path
