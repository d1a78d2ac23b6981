"""Packages within the limits, checked from the zip's central directory before anything is stored
or unpacked: over the API (moto in-process), and with the check the context host calls."""

import io
import stat
import zipfile

import pytest

from infra.archives import open_package
from infra.aws import client
from infra.errors import InvalidBinary
from infra.server_config import Limits


def zip_of(entries: dict[str | zipfile.ZipInfo, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """Under 0.5 MB that unpacks to 400 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("jobs/__init__.py", "class Job: pass\n")
        with archive.open("jobs/data.bin", "w", force_zip64=True) as member:
            for _ in range(400):
                member.write(bytes(1 << 20))
    return buffer.getvalue()


def stored_keys(aws, prefix: str) -> list[str]:
    listed = client("s3").list_objects_v2(Bucket=aws.binaries_bucket, Prefix=prefix)
    return [o["Key"] for o in listed.get("Contents", [])]


def test_a_zip_bomb_is_refused_before_anything_is_stored(api, aws, bomb):
    assert len(bomb) < 500_000
    answer = api("POST", "/binaries/bomb", bomb)
    assert answer.status == 400
    assert answer.body == {
        "status": "ERROR",
        "result": f"Package unpacks to {400 * 2**20 + 16} bytes; the limit is {256 * 2**20} "
        "(limits.max-package-unpacked-bytes)",
    }
    assert api("GET", "/binaries/bomb").status == 404
    assert stored_keys(aws, "versions/bomb/") == []


def test_too_many_entries_are_refused(api, configure):
    configure("limits { max-package-entries = 10 }")
    answer = api("POST", "/binaries/crowded", zip_of({f"m{i}.py": "" for i in range(11)}))
    assert answer.status == 400
    assert answer.body["result"] == "Package has 11 entries; the limit is 10 (limits.max-package-entries)"
    assert api("POST", "/binaries/crowded", zip_of({f"m{i}.py": "" for i in range(10)})).status == 201


def test_a_central_directory_too_large_for_the_entries_allowed_is_refused_unread(api, configure):
    configure("limits { max-package-entries = 2 }")  # 512 bytes of central directory
    answer = api("POST", "/binaries/long-names", zip_of({"a" * 400 + ".py": "", "b" * 400 + ".py": ""}))
    assert answer.status == 400 and "central directory" in answer.body["result"]


def test_the_compressed_size_is_limited_too(api, configure, example_egg):
    configure("limits { max-package-bytes = 1000 }")
    answer = api("POST", "/binaries/heavy", example_egg)
    assert answer.status == 400 and "(limits.max-package-bytes)" in answer.body["result"]


@pytest.mark.parametrize(
    "name", ["../evil.py", "/etc/cron.d/evil", "jobs/../../evil.py", "C:/evil.py", "..\\evil.py"]
)
def test_entries_that_escape_the_package_folder_are_refused(api, name):
    answer = api("POST", "/binaries/escaper", zip_of({"jobs/__init__.py": "", name: "x"}))
    assert answer.status == 400
    assert answer.body["result"] == f"Package entry {name!r} points outside the package"


def test_symbolic_links_are_refused(api):
    link = zipfile.ZipInfo("jobs/passwd")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    answer = api("POST", "/binaries/linker", zip_of({"jobs/__init__.py": "", link: "/etc/passwd"}))
    assert answer.status == 400 and "symbolic link" in answer.body["result"]


def test_a_module_too_large_to_read_still_lets_its_jobs_be_submitted(api, configure):
    configure("limits { max-indexed-module-bytes = 100 }")
    package = zip_of({"jobs/__init__.py": "", "jobs/big.py": "class BigJob: pass\n" + "#" * 200})
    assert api("POST", "/binaries/big-module", package).status == 201
    answer = api("POST", "/jobs?appName=big-module&classPath=jobs.big.BigJob&context=ghost")
    assert answer.body["result"] == "context ghost not found"  # the class was not refused
    missing = api("POST", "/jobs?appName=big-module&classPath=jobs.small.Missing&context=ghost")
    assert missing.body["result"] == "classPath jobs.small.Missing not found"


def test_the_host_checks_a_package_file_before_unpacking_it(tmp_path, bomb, example_egg):
    """open_package is what the context host calls on the file it downloaded."""
    limits = Limits()
    path = tmp_path / "bomb.egg"
    path.write_bytes(bomb)
    with path.open("rb") as file, pytest.raises(InvalidBinary, match="max-package-unpacked-bytes"):
        open_package(file, limits)
    path.write_bytes(example_egg)
    with path.open("rb") as file, open_package(file, limits) as archive:
        archive.extractall(tmp_path / "unpacked")
    assert (tmp_path / "unpacked" / "example_jobs" / "word_count.py").is_file()
