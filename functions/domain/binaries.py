"""Uploading, deploying, listing and deleting job binaries.

A version comes from POST /binaries/{app} or from an object dropped under binaries/<app>/<file>
in the bucket (`aws s3 cp`, or a presigned upload for packages over API Gateway's 10 MB); both
end in `_register`, which stores it; both tell the bus. Over the API the type comes from
Content-Type when the client names one, and from the bytes when it sends none or a form type
(what `curl --data-binary` sends); in the bucket from the file's extension, else from the bytes.
Binaries are indexed when registered (a Python package's top-level classes, found by parsing,
never importing; a jar's classes, from its entry names), so a job naming a class that is not
there is refused at submit with 404 instead of failing later on a host. Every package is checked
against the operator's limits before it is stored (infra/archives.py); a module too
large to read at upload, or shipped only compiled (`.pyc`), is indexed as `module.*`, as a star
import is, so its classes are looked for on the host only."""

import ast
import hashlib
import io
import re
import zipfile
from collections.abc import Callable

from events.lifecycle import BinaryDeployed, BinaryRejected, LifecycleEvent
from infra.archives import open_package
from infra.clock import now_iso
from infra.errors import BinaryInUse, InvalidBinary, InvalidName, NoSuchBinary, UnsupportedBinaryType
from infra.messaging.bus import EventPublisher
from infra.server_config import Limits
from infra.stores.binaries import DROP_PREFIX, PREFIX, BinaryRecord, BinaryStore

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
JAR, EGG, WHEEL = "Jar", "Egg", "Wheel"
DECLARED_TYPES = {
    "application/java-archive": JAR,
    "application/python-egg": EGG,
    "application/python-wheel": WHEEL,
    "application/python-archive": EGG,
}
EXTENSIONS = {JAR: "jar", EGG: "egg", WHEEL: "whl"}
TYPES_BY_EXTENSION = {f".{extension}": binary_type for binary_type, extension in EXTENSIONS.items()}
SNIFFED_CONTENT_TYPES = ("", "application/x-www-form-urlencoded", "application/octet-stream")


class BinaryService:
    def __init__(
        self,
        store: BinaryStore,
        publisher: EventPublisher,
        limits: Limits,
        jobs_using: Callable[[str], list[str]],
    ):
        self._store = store
        self._publisher = publisher
        self._limits = limits
        self._jobs_using = jobs_using  # the active jobs whose path holds a binary (JobService.active_using)

    def upload(self, app: str, data: bytes, content_type: str) -> BinaryRecord:
        """POST /binaries/{app}: a new version, or InvalidName / InvalidBinary (400)."""
        record = self._register(app, data, lambda archive: _binary_type(content_type, archive))
        self._publisher.tell(_deployed(record, None))
        return record

    def deploy(self, key: str) -> LifecycleEvent | None:
        """An object dropped under binaries/<app>/<file>: registered as a new version of <app>, or
        moved aside to rejected/ when it is no package; returns what the bus was told (None for
        folder markers and objects gone before this ran)."""
        if key.endswith("/"):
            return None
        app, _, file_name = key.removeprefix(DROP_PREFIX).rpartition("/")
        told: LifecycleEvent
        try:
            data = self._store.dropped(key, self._limits.max_package_bytes)
            if data is None:
                return None
            if not app or "/" in app:
                raise InvalidName(f"{key} is not binaries/<appName>/<file>")
            told = _deployed(
                self._register(app, data, lambda archive: _type_by_name(file_name, archive)), key
            )
        except (InvalidName, InvalidBinary) as e:
            told = BinaryRejected(
                appName=app, sourceKey=key, reason=str(e), rejectedKey=self._store.set_aside(key)
            )
        self._publisher.tell(told)
        return told

    def upload_url(self, app: str, file_name: str) -> tuple[str, str]:
        """(key, presigned PUT URL) of a drop for a package too large for a request body."""
        check_name(app)
        if not NAME.match(file_name):
            raise InvalidName(f"Invalid file name {file_name!r}: use letters, digits, '.', '_' or '-'")
        key = f"{DROP_PREFIX}{app}/{file_name}"
        return key, self._store.upload_url(key)

    def _register(self, app: str, data: bytes, typed: Callable[[zipfile.ZipFile], str]) -> BinaryRecord:
        check_name(app)
        archive = open_package(io.BytesIO(data), self._limits)
        binary_type = typed(archive)
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
            classes=jar_classes(archive)
            if binary_type == JAR
            else python_classes(archive, self._limits.max_indexed_module_bytes),
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
        """Every version of `app`; BinaryInUse (403, as SJS) while an active job has it on its path.
        A job submitted as this runs can still lose the race and fail to load (as in SJS)."""
        self.versions(app)  # an unknown binary is a 404 before anything else
        in_use = self._jobs_using(app)
        if in_use:
            raise BinaryInUse(in_use)
        self._store.delete(app)


def check_name(app: str) -> None:
    if not NAME.match(app):
        raise InvalidName(
            f"Invalid binary name {app!r}: use letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )


def _deployed(record: BinaryRecord, source_key: str | None) -> BinaryDeployed:
    return BinaryDeployed(
        appName=record.appName,
        sourceKey=source_key,
        uploadTime=record.uploadTime,
        binaryType=record.binaryType,
        key=record.key,
        digest=record.digest,
        size=record.size,
    )


def _type_by_name(file_name: str, archive: zipfile.ZipFile) -> str:
    """A dropped package's type: by its extension (.jar, .egg, .whl), else by its bytes."""
    extension = file_name[file_name.rfind(".") :].lower() if "." in file_name else ""
    return TYPES_BY_EXTENSION.get(extension) or _binary_type("", archive)


def _binary_type(content_type: str, archive: zipfile.ZipFile) -> str:
    declared = content_type.split(";")[0].strip().lower()
    if declared in DECLARED_TYPES:
        return DECLARED_TYPES[declared]
    if declared not in SNIFFED_CONTENT_TYPES:
        raise UnsupportedBinaryType(
            f"Unsupported binary type {declared}; use one of {', '.join(DECLARED_TYPES)}"
        )
    names = archive.namelist()
    if any(name.endswith(".dist-info/WHEEL") for name in names):
        return WHEEL
    if "META-INF/MANIFEST.MF" in names or any(name.endswith(".class") for name in names):
        return JAR
    return EGG


def python_classes(archive: zipfile.ZipFile, max_module_bytes: int) -> list[str]:
    """`module.Name` for every class a module defines, imports or aliases (`Alias = Cls`) at top
    level (a package's __init__ often re-exports its job); `module.*` where the names cannot be
    read: a star import, a module larger than max_module_bytes (parsing takes up to ~250 times a
    module's size in memory, so a large one is not read), or a module shipped only compiled (an
    egg built with --exclude-source-files: its bytecode is never unmarshalled here, as marshal
    is not safe on untrusted bytes). Those classes are looked for on the host."""
    found = []
    for entry in archive.infolist():
        name = entry.filename
        if not name.endswith((".py", ".pyc")) or name.startswith(("EGG-INFO/", "__MACOSX/")):
            continue
        if "__pycache__/" in name:  # importable only beside its source, which is indexed itself
            continue
        module = name.rsplit(".", 1)[0].replace("/", ".").removesuffix(".__init__")
        if name.endswith(".pyc") or entry.file_size > max_module_bytes:
            found.append(f"{module}.*")
            continue
        try:
            tree = ast.parse(archive.read(entry))
        except (SyntaxError, ValueError, RecursionError, MemoryError):  # deep nesting raises the last two
            continue
        found += [f"{module}.{top}" for top in _top_level_names(tree)]
    return sorted(set(found))


def _top_level_names(tree: ast.Module) -> list[str]:
    """Names a module binds at top level that can be a class: its classes, its imports, and plain
    aliases (`Alias = Cls`, `Alias = module.Cls`); a non-class among them fails at load (400)."""
    names = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.ImportFrom):
            names += [alias.asname or alias.name for alias in node.names]
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Name | ast.Attribute):
            names += [target.id for target in node.targets if isinstance(target, ast.Name)]
    return names


def jar_classes(archive: zipfile.ZipFile) -> list[str]:
    """`package.Class` for every top-level class a jar holds (nested and anonymous classes, with
    a `$` in their names, are never a job's entry point; a Scala object's `Name$` comes with
    its `Name`)."""
    return sorted(
        name.removesuffix(".class").replace("/", ".")
        for name in archive.namelist()
        if name.endswith(".class") and "$" not in name and not name.startswith("META-INF/")
        and not name.endswith(("module-info.class", "package-info.class"))
    )  # fmt: skip


def has_class(classes: list[str], class_path: str) -> bool:
    module = class_path.rpartition(".")[0]
    return class_path in classes or f"{module}.*" in classes
