"""The host fetches the data files a job's config names by their path, for job code to open as
plain files; a file that is no longer stored fails the job's load and its copy goes."""

import stat
from datetime import UTC, datetime, timedelta

import pytest

from context_host.data_files import DataFileCache, DataFileUnavailable
from infra.stores.data_files import DataFileStore, data_file_name

UPLOADED = datetime(2026, 12, 1, 5, 4, 52, 361000, tzinfo=UTC)


@pytest.fixture
def store(aws) -> DataFileStore:
    return DataFileStore(aws.binaries_bucket)


def stored(store: DataFileStore, prefix: str, data: bytes, later: int = 0) -> str:
    name = data_file_name(prefix, UPLOADED + timedelta(milliseconds=later))
    store.add(name, data)
    return name


def test_sjs_names_a_file_after_its_prefix_and_upload_time():
    assert data_file_name("input", UPLOADED) == "input-2026-12-01T05_04_52.361Z.dat"


def test_files_a_config_names_by_path_are_fetched_readable_by_the_sandbox(store, tmp_path):
    folder = tmp_path / "data"
    words, numbers = stored(store, "words", b"a b a"), stored(store, "numbers", b"1 2", later=1)
    config = {
        "input": {"file": str(folder / words)},
        "more": [str(folder / numbers), "plain text", str(tmp_path / "elsewhere" / words)],
    }
    DataFileCache(store, folder).fetch_named(config)
    assert (folder / words).read_bytes() == b"a b a" and (folder / numbers).read_bytes() == b"1 2"
    assert stat.S_IMODE((folder / words).stat().st_mode) == 0o644
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    assert sorted(p.name for p in folder.iterdir()) == sorted([words, numbers])  # nothing else, nothing aside
    assert not (tmp_path / "elsewhere").exists()


def test_a_file_no_longer_stored_fails_and_its_copy_goes(store, tmp_path):
    folder = tmp_path / "data"
    name = stored(store, "short-lived", b"x")
    cache = DataFileCache(store, folder)
    cache.fetch_named({"file": str(folder / name)})
    store.delete(name)
    with pytest.raises(DataFileUnavailable, match="is not stored"):
        cache.fetch_named({"file": str(folder / name)})
    assert not (folder / name).exists()
    never = data_file_name("never", UPLOADED)
    with pytest.raises(DataFileUnavailable, match=f"data file {folder / never} is not stored"):
        cache.fetch_named({"file": str(folder / never)})
