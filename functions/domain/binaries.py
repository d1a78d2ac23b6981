"""Uploading, listing and deleting job binaries.

The binary's type comes from Content-Type when the client names one, and from its bytes when it
sends none or a form type (what `curl --data-binary` sends). Python packages are indexed at upload
(their top-level classes, found by parsing, never importing), so a job naming a class that is not
there is refused at submit with 404 instead of failing later on a host."""

import ast
import hashlib
import io
import re
import zipfile

from infra.clock import now_iso
from infra.errors import InvalidBinary, InvalidName, NoSuchBinary
from infra.stores.binaries import PREFIX, BinaryRecord, BinaryStore

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
JAR, EGG, WHEEL = "Jar", "Egg", "Wheel"
DECLARED_TYPES = {
    "application/java-archive": JAR,
    "application/python-egg": EGG,
    "application/python-wheel": WHEEL,
    "application/python-archive": EGG,
}
EXTENSIONS = {JAR: "jar", EGG: "egg", WHEEL: "whl"}
SNIFFED_CONTENT_TYPES = ("", "application/x-www-form-urlencoded", "application/octet-stream")


class BinaryService:
    def __init__(self, store: BinaryStore):
        self._store = store

    def upload(self, app: str, data: bytes, content_type: str) -> BinaryRecord:
        check_name(app)
        archive = _open_zip(data)
        binary_type = _binary_type(content_type, archive)
        digest = hashlib.sha256(data).hexdigest()
        upload_time = now_iso()
        stamp = re.sub(r"[^0-9]", "", upload_time)[:17]
        record = BinaryRecord(
            appName=app,
            uploadTime=upload_time,
            binaryType=binary_type,
            key=f"{PREFIX}{app}/{stamp}-{digest[:12]}.{EXTENSIONS[binary_type]}",
            digest=digest,
            size=len(data),
            classes=[] if binary_type == JAR else python_classes(archive),
        )
        self._store.add(record, data)
        return record

    def latest_of_each(self) -> dict[str, BinaryRecord]:
        return self._store.latest_of_each()

    def versions(self, app: str) -> list[BinaryRecord]:
        versions = self._store.versions(app)
        if not versions:
            raise NoSuchBinary(app)
        return versions

    def delete(self, app: str) -> None:
        self._store.delete(app)


def check_name(app: str) -> None:
    if not NAME.match(app):
        raise InvalidName(
            f"Invalid binary name {app!r}: use letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        raise InvalidBinary("Binary is not a valid jar, egg or wheel (expected a zip archive)") from None
    return archive


def _binary_type(content_type: str, archive: zipfile.ZipFile) -> str:
    declared = content_type.split(";")[0].strip().lower()
    if declared in DECLARED_TYPES:
        return DECLARED_TYPES[declared]
    if declared not in SNIFFED_CONTENT_TYPES:
        raise InvalidBinary(f"Unsupported binary type {declared}; use one of {', '.join(DECLARED_TYPES)}")
    names = archive.namelist()
    if any(name.endswith(".dist-info/WHEEL") for name in names):
        return WHEEL
    if "META-INF/MANIFEST.MF" in names or any(name.endswith(".class") for name in names):
        return JAR
    return EGG


def python_classes(archive: zipfile.ZipFile) -> list[str]:
    """`module.Name` for every class a module defines or imports at top level (a package's
    __init__ often re-exports its job); `module.*` where a star import hides the names."""
    found = []
    for name in archive.namelist():
        if not name.endswith(".py") or name.startswith(("EGG-INFO/", "__MACOSX/")):
            continue
        module = name[: -len(".py")].replace("/", ".").removesuffix(".__init__")
        try:
            tree = ast.parse(archive.read(name))
        except (SyntaxError, ValueError):
            continue
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                found.append(f"{module}.{node.name}")
            elif isinstance(node, ast.ImportFrom):
                found += [f"{module}.{alias.asname or alias.name}" for alias in node.names]
    return sorted(found)


def has_class(classes: list[str], class_path: str) -> bool:
    module = class_path.rpartition(".")[0]
    return class_path in classes or f"{module}.*" in classes
