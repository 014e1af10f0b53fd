"""`simfarm catalog …`: import, list, count and search the asset catalog."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from ..errors import InputError
from .entries import KINDS, CatalogKind, parse_kind

STORE_ENV = "SIMFARM_VECTOR_STORE_URL"
TERMINATION_LOG_ENV = "SIMFARM_TERMINATION_LOG"
DEFAULT_TERMINATION_LOG = "/dev/termination-log"
MAX_REPORT_BYTES = 4096  # a container's termination message holds this much


def register(subparsers: argparse._SubParsersAction) -> None:
    home = argparse.ArgumentParser(add_help=False)
    home.add_argument("--home", metavar="DIR",
                      help="catalog home (default: $SIMFARM_HOME or ~/.simfarm); the index lives in DIR/catalog")
    home.add_argument("--store", metavar="URL", default=os.environ.get(STORE_ENV) or None,
                      help=f"a ChromaDB server (http://host:port), e.g. a cluster's vector store, instead of "
                           f"the home's index (default: ${STORE_ENV})")
    kind_help = f"catalog kind: {', '.join(KINDS)}"

    catalog = subparsers.add_parser("catalog", help="manage and search the asset catalog")
    commands = catalog.add_subparsers(dest="catalog_command", required=True, metavar="COMMAND")

    imp = commands.add_parser("import", parents=[home], help="import entries from a file (re-import is incremental)")
    imp.add_argument("kind", metavar="KIND", help=kind_help)
    imp.add_argument("file", metavar="FILE", type=Path, help="a catalog file, a Sweet Home 3D library (.sh3f) "
                                                             "or a folder of them")
    imp.add_argument("--format", help="polyhaven | cap3d | jsonl | sweethome3d (default: sweethome3d for *.sh3f "
                                      "and folders, jsonl for *.jsonl, else cap3d for objects and polyhaven "
                                      "otherwise)")
    imp.add_argument("--source", help="catalog name the entries belong to (default: the format; for a Sweet Home "
                                      "3D library sweethome3d-<file name>); re-importing a source replaces its "
                                      "entries")
    imp.add_argument("--url-template", help="cap3d: object download URL with {uid} (default: Objaverse)")
    imp.set_defaults(func=_import)

    remote = commands.add_parser(
        "import-url", parents=[home], help="import a catalog source from an https, http or s3 URL",
        description="Fetch a catalog source (Poly Haven JSON, Cap3D captions CSV with Objaverse's "
                    "object-paths.json, a Sweet Home 3D library, JSON lines; gzip is undone) and import it as "
                    "SOURCE, streaming and incrementally: only new or changed records are embedded, so a "
                    "killed import run again finishes where it stopped. What an AssetCatalog's import Job "
                    "runs. In a pod, $SIMFARM_URL_POLICY and $SIMFARM_IMPORT_LIMITS set what may be fetched.")
    remote.add_argument("source", metavar="SOURCE", help="catalog name, e.g. renders/objaverse")
    remote.add_argument("format", metavar="FORMAT", choices=("polyhaven", "cap3d", "sweethome3d", "jsonl"),
                        help="polyhaven | cap3d | sweethome3d | jsonl")
    remote.add_argument("url", metavar="URL", help="the source's https://, http:// or s3:// URL (a local path "
                                                   "outside a pod)")
    remote.add_argument("--object-paths", metavar="URL", help="cap3d: Objaverse's object-paths.json(.gz)")
    remote.add_argument("--objects-base", metavar="URL",
                        help="cap3d: what object-paths' paths are relative to (default: its folder)")
    remote.add_argument("--kind", action="append", default=[], metavar="KIND", dest="kinds",
                        help=f"import only this kind (repeatable; default: all of {', '.join(KINDS)})")
    remote.add_argument("--license", action="append", default=[], metavar="LICENSE", dest="licenses",
                        help="import only entries under this license or a version of it; repeatable")
    remote.add_argument("--run", default="cli", help="name of this run in the recorded progress")
    remote.add_argument("--batch", type=int, default=256, metavar="N",
                        help="entries embedded and written between two progress updates (default 256)")
    remote.add_argument("--termination-log", action="store_true",
                        help=f"also write the outcome (JSON, at most 4 KiB) to the container's termination log "
                             f"({DEFAULT_TERMINATION_LOG}, or ${TERMINATION_LOG_ENV})")
    remote.set_defaults(func=_import_url)

    lst = commands.add_parser("list", parents=[home], help="list the entries of one kind")
    lst.add_argument("kind", metavar="KIND", help=kind_help)
    lst.add_argument("--json", action="store_true", help="one JSON entry per line")
    lst.add_argument("--license", action="append", default=[], metavar="LICENSE", dest="licenses",
                     help="only entries under this license or a version of it (cc0, cc-by, CC-BY-3.0…); repeatable")
    lst.set_defaults(func=_list)

    install = commands.add_parser(
        "install-library", parents=[home],
        help="install the default model library (Debian's sweethome3d-furniture) and import it",
        description="Find the Sweet Home 3D furniture libraries (a system install of the Debian package "
                    "sweethome3d-furniture, or an earlier run's copy), else fetch the package without root "
                    "(apt-get download + dpkg-deb -x into the user cache), then import every library into the "
                    "catalog. Re-running re-embeds nothing that did not change.")
    install.add_argument("--no-download", action="store_true",
                         help="only import libraries already installed; fail if there are none")
    install.add_argument("--dest", type=Path, metavar="DIR",
                         help="where to unpack the libraries (default ~/.cache/simfarm/library/sweethome3d; "
                              "also searched through $SIMFARM_LIBRARY_PATH)")
    install.add_argument("--export", type=Path, metavar="FILE",
                         help="write the libraries' entries as JSON lines to FILE instead of importing them "
                              "(what the operator image carries: $SIMFARM_LIBRARY_ENTRIES)")
    install.set_defaults(func=_install_library)

    stats = commands.add_parser("stats", parents=[home], help="entry counts per kind and source")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(func=_stats)

    search = commands.add_parser("search", parents=[home], help="semantic + lexical search")
    search.add_argument("kind", metavar="KIND", help=kind_help)
    search.add_argument("query", metavar="QUERY", nargs="?")
    search.add_argument("--top", type=int, default=5, metavar="K", help="results per query (default 5)")
    search.add_argument("--json", action="store_true", help="results as one JSON document")
    search.add_argument("--batch", type=Path, metavar="FILE",
                        help="one query per line; prints one JSON line per query")
    search.add_argument("--license", action="append", default=[], metavar="LICENSE", dest="licenses",
                        help="only entries under this license or a version of it; repeatable")
    search.set_defaults(func=_search)


def _open(args: argparse.Namespace):
    from .catalog import Catalog  # chromadb and the embedding model load only for catalog commands

    return Catalog.server(args.store) if args.store else Catalog.open(args.home)


def _import_url(args: argparse.Namespace) -> int:
    from .builtin import SOURCE
    from .importers import check_source_name
    from .index import StoreUnavailable
    from .remote import ImportLimits
    from .source_import import ImportFailed, SourceSpec, describe, import_source

    source = check_source_name(args.source)
    if source == SOURCE:
        raise InputError(f"source name {source!r} is reserved for the embedded catalog")
    kinds = [parse_kind(kind) for kind in args.kinds] or list(CatalogKind)
    spec = SourceSpec(args.format, args.url, args.object_paths, args.objects_base)

    def show(progress) -> None:
        print(f"simfarm: {source}: {progress.records} records read, {progress.written} embedded, "
              f"{progress.rejected} rejected", file=sys.stderr)

    try:
        if args.batch < 1:
            raise InputError(f"--batch must be at least 1, got {args.batch}")
        progress = import_source(_open(args).index, source, spec, run=args.run, kinds=kinds,
                                 licenses=args.licenses, limits=ImportLimits.from_environ(), batch=args.batch,
                                 on_progress=show)
    except (InputError, ImportFailed, StoreUnavailable) as error:
        _write_report(args, {"error": str(error)})
        if isinstance(error, InputError):
            raise
        print(f"simfarm: error: {error} (retrying may help)", file=sys.stderr)
        return 1
    for sample in progress.samples:
        print(f"simfarm: rejected {sample}", file=sys.stderr)
    print(f"catalog {source!r}: {describe(progress)}")
    _write_report(args, {"counts": progress.counts, "records": progress.records,
                         "rejected": progress.rejected, "written": progress.written})
    return 0


def _write_report(args: argparse.Namespace, outcome: dict) -> None:
    if args.termination_log:
        Path(os.environ.get(TERMINATION_LOG_ENV) or DEFAULT_TERMINATION_LOG).write_text(
            json.dumps(outcome)[:MAX_REPORT_BYTES])


def _import(args: argparse.Namespace) -> int:
    from .importers import OBJAVERSE_URL_TEMPLATE, default_format, read_import

    kind = parse_kind(args.kind)
    if (args.format or default_format(args.file, kind)) == "sweethome3d":
        if kind is not CatalogKind.object:
            raise InputError(f"Sweet Home 3D libraries hold objects; cannot import them as {kind.value}")
        from .library import import_libraries, library_files

        return _report_libraries(import_libraries(_open(args), library_files(args.file), args.source))
    parsed = read_import(kind, args.file, args.format, source=args.source,
                         url_template=args.url_template or OBJAVERSE_URL_TEMPLATE)
    for record in parsed.rejected:
        print(f"simfarm: rejected {args.file} {record}", file=sys.stderr)
    if parsed.rejected and not parsed.entries:
        raise InputError(f"{args.file}: no valid records, nothing imported")
    report = _open(args).import_entries(kind, parsed.source, parsed.entries, sorted(parsed.mentioned_ids))
    print(f"{kind.value} catalog {parsed.source!r}: {report.added} added, {report.updated} updated, "
          f"{report.unchanged} unchanged, {report.removed} removed ({report.embedded} embedded)")
    if parsed.rejected:
        raise InputError(f"{args.file}: {len(parsed.rejected)} record(s) rejected (listed above), the rest imported")
    return 0


def _report_libraries(done) -> int:
    rejected = 0
    for library in done:
        for record in library.parsed.rejected:
            print(f"simfarm: rejected {library.path} {record}", file=sys.stderr)
        rejected += len(library.parsed.rejected)
        report = library.report
        print(f"object catalog {library.parsed.source!r} ({library.path.name}): {report.added} added, "
              f"{report.updated} updated, {report.unchanged} unchanged, {report.removed} removed "
              f"({report.embedded} embedded)")
    if rejected:
        raise InputError(f"{rejected} model record(s) rejected (listed above), the rest imported")
    return 0


def _install_library(args: argparse.Namespace) -> int:
    from .library import export_entries, import_libraries, install_package, installed_libraries

    paths = installed_libraries() if args.no_download else install_package(args.dest)
    if not paths:
        raise InputError("no Sweet Home 3D libraries are installed (run without --no-download to fetch them)")
    print(f"simfarm: {len(paths)} model libraries in {paths[0].parent}", file=sys.stderr)
    if args.export:
        count = export_entries(paths, args.export)
        print(f"simfarm: {count} library entries written to {args.export}", file=sys.stderr)
        return 0
    return _report_libraries(import_libraries(_open(args), paths))


def _list(args: argparse.Namespace) -> int:
    from .entries import license_allowed

    kind = parse_kind(args.kind)
    for entry in _open(args).entries(kind):
        if not license_allowed(entry.license, args.licenses):
            continue
        print(entry.model_dump_json() if args.json else f"{entry.source}:{entry.id}\t{entry.name}\t{entry.uri}")
    return 0


def _stats(args: argparse.Namespace) -> int:
    stats = _open(args).stats()
    if args.json:
        print(json.dumps(stats, sort_keys=True))
        return 0
    for kind, sources in stats.items():
        detail = ", ".join(f"{source} {count}" for source, count in sources.items()) or "empty"
        print(f"{kind}: {sum(sources.values())} ({detail})")
    return 0


def _search(args: argparse.Namespace) -> int:
    kind = parse_kind(args.kind)
    if (args.query is None) == (args.batch is None):
        raise InputError("give either a QUERY or --batch FILE")
    queries = _batch_queries(args.batch) if args.batch else [args.query]
    results = _open(args).search_many(kind, queries, args.top, licenses=args.licenses)
    if args.batch:
        for query, hits in zip(queries, results):
            print(json.dumps({"query": query, "results": [hit.to_json() for hit in hits]}))
    elif args.json:
        print(json.dumps({"query": args.query, "results": [hit.to_json() for hit in results[0]]}, indent=2))
    else:
        for hit in results[0]:
            print(f"{hit.score:6.3f}  {hit.entry.source}:{hit.entry.id}\t{hit.entry.name}\t{hit.entry.uri}")
    return 0


def _batch_queries(path: Path) -> list[str]:
    """Non-blank lines of ``path`` ('-' reads stdin)."""
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read query batch {path}: {error}") from None
    queries = [line.strip() for line in text.splitlines() if line.strip()]
    if not queries:
        raise InputError(f"query batch {path} holds no queries")
    return queries
