"""What a job package may be: a zip within the operator's limits, checked from its central
directory before anything is stored or unpacked. The API checks uploads and S3 drops with
`open_package`; it is the one check for the context host too, before it unpacks a package (one
stored before a limit was lowered, or put in the bucket by other means).

Sizes are the uncompressed sizes the central directory declares. Python's zipfile never writes
more than an entry declares (a lying entry fails its CRC check), so their sum bounds what
unpacking puts on disk. zipfile reads the whole central directory into objects before it can
count entries (about 600 bytes of memory per entry), so its size is checked first, from the end
record, which zipfile's own reader finds exactly as ZipFile then will."""

import io
import stat
import zipfile
from typing import BinaryIO

from infra.errors import InvalidBinary, PackageTooLarge
from infra.server_config import Limits

# A central-directory record is 46 bytes plus its name, extra field and comment: 256 bytes per
# allowed entry is more than real archives use, and bounds the memory ZipFile takes to read it.
CENTRAL_DIRECTORY_BYTES_PER_ENTRY = 256


def open_package(file: BinaryIO, limits: Limits) -> zipfile.ZipFile:
    """The package as an open ZipFile, or InvalidBinary saying which limit it breaks (or that it
    is no zip). `file` is any seekable binary file: a BytesIO of an upload, an open file on disk."""
    size = file.seek(0, io.SEEK_END)
    if size > limits.max_package_bytes:
        raise PackageTooLarge(size, limits.max_package_bytes)
    end = _end_record(file)
    directory_bytes = end[zipfile._ECD_SIZE]  # type: ignore[attr-defined]
    if directory_bytes > limits.max_package_entries * CENTRAL_DIRECTORY_BYTES_PER_ENTRY:
        raise InvalidBinary(
            f"Package's central directory is {directory_bytes} bytes, too large for "
            f"{limits.max_package_entries} entries (limits.max-package-entries)"
        )
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, ValueError, NotImplementedError) as e:
        raise InvalidBinary(f"Binary is not a readable zip archive: {e}") from None
    entries = archive.infolist()
    if len(entries) > limits.max_package_entries:
        raise InvalidBinary(
            f"Package has {len(entries)} entries; the limit is {limits.max_package_entries} "
            "(limits.max-package-entries)"
        )
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > limits.max_package_unpacked_bytes:
        raise InvalidBinary(
            f"Package unpacks to {unpacked} bytes; the limit is {limits.max_package_unpacked_bytes} "
            "(limits.max-package-unpacked-bytes)"
        )
    for entry in entries:
        _check_entry(entry)
    return archive


def _end_record(file: BinaryIO) -> list:
    try:
        end = zipfile._EndRecData(file)  # type: ignore[attr-defined]
    except OSError:
        end = None
    if not end:
        raise InvalidBinary("Binary is not a valid jar, egg or wheel (expected a zip archive)")
    return end


def _check_entry(entry: zipfile.ZipInfo) -> None:
    """Entries stay inside the folder they are unpacked into, and are files or folders."""
    name = entry.filename
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":"):
        raise InvalidBinary(f"Package entry {name!r} points outside the package")
    if stat.S_ISLNK(entry.external_attr >> 16):
        raise InvalidBinary(f"Package entry {name!r} is a symbolic link")
