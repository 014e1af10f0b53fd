"""The default model library: Debian's ``sweethome3d-furniture`` package, installed without root.

``install_package`` brings the package's five ``.sh3f`` libraries (820
textured models, CC0 and CC-BY 3.0) into the user's cache with
``apt-get download`` and ``dpkg-deb -x``, unless a system install or an
earlier run already has them. ``import_libraries`` puts each library in the
catalog as its own source; re-running it re-embeds nothing that did not
change. Nothing here downloads at render time: workers read the same files
through ``library://`` URIs.

A cluster's operator image carries the libraries' entries rather than the
libraries (``export_entries``, ``$SIMFARM_LIBRARY_ENTRIES``): it seeds the
shared vector store with them at startup (``seed_entries``), and the render
image has the models themselves.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from tqdm import tqdm

from ..errors import InputError
from .catalog import Catalog
from .entries import CatalogEntry, CatalogKind
from .importers import ParsedImport
from .index import SyncReport
from .library_uris import cache_home, library_dirs, library_uri, USER_LIBRARY
from .sweethome3d import read_library, source_for

PACKAGE = "sweethome3d-furniture"
LIBRARY = "sweethome3d"  # the library:// host its files are found under
PACKAGE_FOLDER = Path("usr/share/sweethome3d/furniture")
SUFFIX = ".sh3f"
ENTRIES_ENV = "SIMFARM_LIBRARY_ENTRIES"


def installed_libraries() -> list[Path]:
    """The ``.sh3f`` files of the first library folder that has any."""
    for folder in library_dirs(LIBRARY):
        found = sorted(folder.glob(f"*{SUFFIX}")) if folder.is_dir() else []
        if found:
            return found
    return []


def install_package(destination: Path | None = None) -> list[Path]:
    """The installed libraries, fetching the Debian package into ``destination`` first if there are none."""
    found = installed_libraries()
    if found:
        return found
    destination = destination or cache_home() / USER_LIBRARY / LIBRARY
    for tool in ("apt-get", "dpkg-deb"):
        if shutil.which(tool) is None:
            raise InputError(f"cannot install the default model library: {tool} is not available (install the "
                             f"Debian package {PACKAGE}, or import .sh3f files with `simfarm catalog import`)")
    with tempfile.TemporaryDirectory(prefix="simfarm-library-") as work:
        print(f"simfarm: downloading the Debian package {PACKAGE} (about 120 MB)…", file=sys.stderr)
        try:
            _run(["apt-get", "download", PACKAGE], cwd=work)
        except InputError:
            if os.geteuid() != 0:
                raise
            _run(["apt-get", "update"], cwd=work)  # a fresh machine has no package lists yet
            _run(["apt-get", "download", PACKAGE], cwd=work)
        package = next(Path(work).glob(f"{PACKAGE}_*.deb"))
        _run(["dpkg-deb", "-x", str(package), str(Path(work) / "root")], cwd=work)
        destination.mkdir(parents=True, exist_ok=True)
        for library in sorted((Path(work) / "root" / PACKAGE_FOLDER).glob(f"*{SUFFIX}")):
            shutil.move(str(library), destination / library.name)
    found = sorted(destination.glob(f"*{SUFFIX}"))
    if not found:
        raise InputError(f"the package {PACKAGE} held no {SUFFIX} libraries")
    return found


def _run(command: list[str], cwd: str) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise InputError(f"`{' '.join(command)}` failed: {detail[-1] if detail else f'exit {result.returncode}'}"
                         f" (is the apt package list current? try `apt-get update`)")


def location_for(path: Path) -> str:
    """The location model URIs name: ``library://`` for a file in a library folder, else ``file://``."""
    path = path.resolve()
    if any(path.parent == folder.resolve() for folder in library_dirs(LIBRARY) if folder.is_dir()):
        return library_uri(LIBRARY, path.name)
    return path.as_uri()


def library_files(path: Path) -> list[Path]:
    """``path`` itself, or the ``.sh3f`` files in the folder ``path``."""
    if path.is_dir():
        found = sorted(path.glob(f"*{SUFFIX}"))
        if not found:
            raise InputError(f"{path}: no {SUFFIX} libraries in this folder")
        return found
    if not path.is_file():
        raise InputError(f"import file not found: {path}")
    return [path]


def parse_library_file(path: Path, source: str | None = None) -> ParsedImport:
    try:
        with path.open("rb") as stream:
            return read_library(stream, location_for(path), source or source_for(path.name))
    except OSError as error:
        raise InputError(f"cannot read library {path}: {error.strerror or error}") from None


@dataclass(frozen=True)
class LibraryImport:
    path: Path
    parsed: ParsedImport
    report: SyncReport


def _parsed(paths: list[Path], source: str | None) -> Iterator[ParsedImport]:
    """Each library parsed, in the order given, by as many processes as there are cores.

    Reading every model's faces for its body material is most of an import: the five libraries take 25.6 s
    one after another on 2 cores, 15.0 s side by side. The largest start first, and one library is embedded
    while the next are read."""
    workers = min(len(paths), os.cpu_count() or 1)
    if workers < 2:
        yield from (parse_library_file(path, source) for path in paths)
        return
    # fork, not spawn: a spawned child re-runs the caller's main script, which a script without a main guard
    # cannot bear; a forked one only reads zips and runs numpy, taking none of the locks the parent's threads hold.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        largest_first = sorted(paths, key=lambda path: path.stat().st_size, reverse=True)
        futures = {path: pool.submit(parse_library_file, path, source) for path in largest_first}
        for path in paths:
            yield futures[path].result()


def import_libraries(catalog: Catalog, paths: Iterable[Path], source: str | None = None) -> list[LibraryImport]:
    """Import every library (each under its own source), with a progress bar over the libraries."""
    paths = list(paths)
    if source and len(paths) > 1:
        raise InputError("--source names one catalog source; a folder holds several libraries, each its own")
    done = []
    with tqdm(total=len(paths), desc="importing model libraries", unit="library", file=sys.stderr,
              disable=len(paths) < 2) as progress:
        for path, parsed in zip(paths, _parsed(paths, source)):
            progress.set_postfix_str(path.name)
            report = catalog.import_entries(CatalogKind.object, parsed.source, parsed.entries,
                                            sorted(parsed.mentioned_ids))
            done.append(LibraryImport(path, parsed, report))
            progress.update()
    return done


def export_entries(paths: Iterable[Path], destination: Path) -> int:
    """Write every library's entries as JSON lines (``CatalogEntry``) to ``destination``; returns how many."""
    count = 0
    with destination.open("w", encoding="utf-8") as out:
        for parsed in _parsed(list(paths), None):
            for entry in parsed.entries:
                out.write(entry.model_dump_json() + "\n")
                count += 1
    return count


def seed_entries(catalog: Catalog, path: Path) -> dict[str, SyncReport]:
    """Import an exported entries file, each source on its own, and count those sources as built in.

    Re-seeding an index that has them embeds nothing (content hashes).
    """
    by_source: dict[tuple[CatalogKind, str], list[CatalogEntry]] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise InputError(f"library entries {path}: {error.strerror or error}") from None
    for number, line in enumerate(lines, start=1):
        if line.strip():
            try:
                entry = CatalogEntry.model_validate_json(line)
            except ValueError as error:
                raise InputError(f"library entries {path} line {number}: not a catalog entry ({error})") from None
            by_source.setdefault((entry.kind, entry.source), []).append(entry)
    reports = {}
    for (kind, source), entries in sorted(by_source.items()):
        reports[source] = catalog.import_entries(kind, source, entries)
        if source not in catalog.builtin_sources:
            catalog.builtin_sources.append(source)
    return reports
