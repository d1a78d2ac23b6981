"""What an upload is: its type from Content-Type or its bytes, and the classes a package offers."""

import io
import zipfile

import pytest

from functions.domain.binaries import _binary_type, has_class, python_classes
from infra.archives import open_package
from infra.errors import InvalidBinary
from infra.server_config import Limits


def zip_of(files: dict[str, str]) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return zipfile.ZipFile(io.BytesIO(buffer.getvalue()))


@pytest.mark.parametrize(
    ("content_type", "files", "expected"),
    [
        ("application/java-archive", {"a.py": ""}, "Jar"),
        ("application/python-egg", {"a.py": ""}, "Egg"),
        ("application/python-wheel", {"a.py": ""}, "Wheel"),
        ("application/python-archive", {"a.py": ""}, "Egg"),
        ("", {"a/__init__.py": ""}, "Egg"),
        ("application/x-www-form-urlencoded", {"META-INF/MANIFEST.MF": "", "A.class": ""}, "Jar"),
        (
            "application/x-www-form-urlencoded",
            {"pkg/__init__.py": "", "pkg-1.0.dist-info/WHEEL": ""},
            "Wheel",
        ),
    ],
)
def test_binary_type_from_header_or_bytes(content_type, files, expected):
    assert _binary_type(content_type, zip_of(files)) == expected


def test_non_zip_bytes_are_rejected():
    with pytest.raises(InvalidBinary, match="zip archive"):
        open_package(io.BytesIO(b"this is not a zip"), Limits())


def test_unknown_declared_types_are_rejected():
    with pytest.raises(InvalidBinary, match="Unsupported binary type text/plain"):
        _binary_type("text/plain", zip_of({"a.py": ""}))


def test_classes_are_indexed_without_importing():
    archive = zip_of(
        {
            "jobs/__init__.py": "from jobs.count import CountJob as Exported\n",
            "jobs/count.py": "import os\nclass CountJob:\n    class Inner: pass\nos.exit(1)\n",
            "jobs/star.py": "from elsewhere import *\n",
            "jobs/broken.py": "class (:\n",
            "EGG-INFO/setup.py": "class Ignored: pass\n",
        }
    )
    classes = python_classes(archive, Limits().max_indexed_module_bytes)
    assert "jobs.count.CountJob" in classes
    assert "jobs.Exported" in classes
    assert "jobs.count.Inner" not in classes
    assert not any("Ignored" in c for c in classes)
    assert has_class(classes, "jobs.star.Anything")
    assert not has_class(classes, "jobs.count.Missing")


def test_a_module_too_large_to_read_is_indexed_as_a_star_import():
    archive = zip_of({"jobs/small.py": "class Small: pass\n", "jobs/big.py": "class Big: pass\n" + "#" * 100})
    classes = python_classes(archive, max_module_bytes=50)
    assert classes == ["jobs.big.*", "jobs.small.Small"]
    assert has_class(classes, "jobs.big.Big")  # looked for on the host, not refused at submit


def test_aliases_of_classes_are_indexed_as_classes():
    archive = zip_of(
        {
            "jobs/__init__.py": "import jobs.count\nCounting = jobs.count.CountJob\nLIMIT = 3\n",
            "jobs/count.py": "class CountJob: pass\nAlias = CountJob\nFirst, Second = CountJob, CountJob\n",
        }
    )
    classes = python_classes(archive, Limits().max_indexed_module_bytes)
    assert {"jobs.count.Alias", "jobs.Counting"} <= set(classes)
    assert "jobs.LIMIT" not in classes  # a constant is never a class


def test_modules_shipped_only_compiled_are_looked_for_on_the_host():
    archive = zip_of(
        {
            "jobs/__init__.pyc": "bytecode",
            "jobs/count.pyc": "bytecode",
            "jobs/__pycache__/count.cpython-311.pyc": "bytecode",
        }
    )
    classes = python_classes(archive, Limits().max_indexed_module_bytes)
    assert classes == ["jobs.*", "jobs.count.*"]
    assert has_class(classes, "jobs.count.CountJob")
