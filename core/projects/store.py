"""The project catalogue: SQLite (WAL) for names, times and small JSON fields; files for bulk data.

    store = ProjectStore()                       # $TOPICLENS_WORKSPACE or ./workspace
    info = store.create("Reviews 2026")          # an unguessable id is its private address
    store.set_field(info.id, "preprocess", {...})  # JSON; the last writer wins per field
    store.get_field(info.id, "preprocess", {})
    atomic_write_bytes(store.project_dir(info.id) / "corpus" / "upload.bin", data)

Two tabs (or a tab and the CLI) on one project write through their own connections; WAL plus a
busy timeout lets them interleave without corrupting the database, and every field is written
whole, so the last writer wins per field and nobody crashes. Nothing here pickles: fields are
JSON, bulk files are written by their owners (arrays .npy, tables Parquet) through
`atomic_write_bytes`, which writes a temp file beside the target and renames it, so a kill
mid-write never leaves a half-written file where a reader looks.
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import shutil
import sqlite3
import tempfile
import threading
import time
import contextlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from core.errors import InputError
from core.i18n import N_, _
from core.workspace import workspace_root

SCHEMA_VERSION = 3
MAX_NAME = 120
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

# Each migration takes the database from version i to i + 1; a project saved by any earlier
# release opens after an upgrade. Version 1 had no `kind` column (every project was a user's).
_MIGRATIONS: dict[int, list[str]] = {
    0: [
        """CREATE TABLE IF NOT EXISTS projects (
               id TEXT PRIMARY KEY, name TEXT NOT NULL, created REAL NOT NULL, modified REAL NOT NULL,
               corpus_name TEXT NOT NULL DEFAULT '', n_docs INTEGER NOT NULL DEFAULT 0)""",  # i18n: skip (SQL)
        """CREATE TABLE IF NOT EXISTS fields (
               project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
               key TEXT NOT NULL, value TEXT NOT NULL, modified REAL NOT NULL,
               PRIMARY KEY (project_id, key))""",  # i18n: skip (SQL)
    ],
    1: ["ALTER TABLE projects ADD COLUMN kind TEXT NOT NULL DEFAULT 'user'"],  # i18n: skip (SQL)
    # The projects each browser created or opened (private mode lists these): keyed by a hash of
    # the browser's secret cookie, never the cookie itself.
    2: ["""CREATE TABLE IF NOT EXISTS browser_projects (
               browser TEXT NOT NULL, project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
               seen REAL NOT NULL, PRIMARY KEY (browser, project_id))"""],  # i18n: skip (SQL)
}


DISK_FULL = N_("The workspace disk is full, so the latest results could not be saved in the project. The analysis "
               "goes on in memory, but what was not saved is lost when this session ends: free some disk space to "
               "keep your work.")


class DiskFull(InputError):
    """The workspace disk (or quota) is full: what was being written is not there, and nothing half of it."""

    def __init__(self, message: str = DISK_FULL, /, **params: object) -> None:
        super().__init__(message, **params)


def is_disk_full(exc: BaseException) -> bool:
    """ENOSPC / EDQUOT from a write, or SQLite's "database or disk is full"."""
    if isinstance(exc, DiskFull):
        return True
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return isinstance(exc, sqlite3.OperationalError) and "disk is full" in str(exc).lower()


def keep_going(on_unsaved: Callable[[DiskFull], None] | None, write: Callable[..., Any], *args: Any,
               **kwargs: Any) -> None:
    """`write(*args, **kwargs)` for something the analysis can do without (a cache, a progress record): on a full
    disk, `on_unsaved(error)` and carry on from memory; with no `on_unsaved`, the DiskFull is raised."""
    try:
        write(*args, **kwargs)
    except DiskFull as exc:
        if on_unsaved is None:
            raise
        on_unsaved(exc)


@dataclass(frozen=True)
class ProjectInfo:
    id: str
    name: str
    created: float
    modified: float
    corpus_name: str
    n_docs: int
    kind: str = "user"       # "user" | "demo" (opened without a project; pruned when left untouched)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` via a temp file in the same folder, fsync, then rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if is_disk_full(exc):
            raise DiskFull() from exc
        raise


def atomic_write_json(path: Path, value: Any) -> None:
    atomic_write_bytes(path, json.dumps(value, ensure_ascii=False, allow_nan=True).encode("utf-8"))


# What a write cut short (kill -9, power loss) leaves behind: staging folders of imports and deletes
# in projects/, and the hidden temp files and folders of atomic writes anywhere in the workspace
# (`.x.<hex>.tmp` / `.x.<hex>.old` of arrays.write_folder, `.x.<random>.tmp` of atomic_write_bytes,
# `.x.part-<hex>` of safezip and model bundles, `model.zip.part` of a model download).
STALE_AFTER_S = 15 * 60.0   # no write of ours takes this long; a younger one may still be in progress
_STAGING = re.compile(r"^\.(\.?import-|deleted-)")
_TEMP = re.compile(r"^\..+(\.tmp|\.old|\.part|\.part-[0-9a-f]+)$|\.zip\.part$")


def _newest_mtime(path: Path) -> float:
    """The latest modification anywhere in `path` (a file being written keeps its folder young)."""
    newest = os.lstat(path).st_mtime
    if path.is_dir() and not path.is_symlink():
        for root, dirs, files in os.walk(path):
            for name in dirs + files:
                try:
                    newest = max(newest, os.lstat(os.path.join(root, name)).st_mtime)
                except OSError:
                    pass
    return newest


def clean_stale_temp(root: Path, older_than_s: float = STALE_AFTER_S, now: float | None = None) -> list[str]:
    """Remove the leftovers of interrupted writes in the workspace `root` that nothing touched for
    `older_than_s` (a younger one may belong to a write still running, in this or another process).
    Returns what was removed, relative to `root`. Never follows a symbolic link; never raises."""
    now = time.time() if now is None else now
    root = Path(root)
    found: list[Path] = []
    projects = root / "projects"
    try:
        top = list(os.scandir(projects)) if projects.is_dir() else []
    except OSError:
        top = []
    for entry in top:
        if _STAGING.match(entry.name) or _TEMP.search(entry.name):
            found.append(Path(entry.path))
    for base in [*(Path(e.path) for e in top if not e.name.startswith(".") and e.is_dir(follow_symlinks=False)),
                 root / "finetune"]:
        for folder, dirs, files in os.walk(base):
            for name in [d for d in dirs if _TEMP.search(d)] + [f for f in files if _TEMP.search(f)]:
                found.append(Path(folder) / name)
            dirs[:] = [d for d in dirs if not _TEMP.search(d)]   # a temp folder goes whole
    removed = []
    for path in found:
        try:
            if now - _newest_mtime(path) < older_than_s:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path.relative_to(root).as_posix())
        except OSError:
            continue   # gone meanwhile, or not ours to remove: the next start tries again
    return removed


def _copy_or_disk_full(src: str, dst: str) -> str:
    """shutil.copy2, whose full disk stops a copytree at once (as DiskFull) instead of being collected."""
    try:
        return shutil.copy2(src, dst)
    except OSError as exc:
        if is_disk_full(exc):
            raise DiskFull() from exc
        raise


def dir_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return total


class ProjectStore:
    """The catalogue of a workspace. Cheap to create; one SQLite connection per thread."""

    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root is not None else workspace_root()
        self.projects_dir = self.root / "projects"
        self.db_path = self.root / "projects.db"
        self._local = threading.local()
        self.root.mkdir(parents=True, exist_ok=True)
        self.projects_dir.mkdir(exist_ok=True)
        with self._tx() as db:
            self._migrate(db)
        self.cleaned = clean_stale_temp(self.root)   # what crashed writes left (kill -9): stale ones only

    # ------------------------------------------------------------------ database
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.db_path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")  # i18n: skip (SQL)
            conn.execute("PRAGMA synchronous=NORMAL")  # i18n: skip (SQL)
            conn.execute("PRAGMA foreign_keys=ON")  # i18n: skip (SQL)
            conn.execute("PRAGMA busy_timeout=30000")  # i18n: skip (SQL)
            self._local.conn = conn
        return conn

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; a full disk rolls it back whole and raises DiskFull."""
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:
            if is_disk_full(exc):
                raise DiskFull() from exc
            raise

    @staticmethod
    def _migrate(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")  # i18n: skip (SQL)
        row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()  # i18n: skip (SQL)
        version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise InputError("This workspace was written by a newer TopicLens (schema {version}, this one "
                             "reads up to {newest}); upgrade TopicLens to open it.",
                             version=version, newest=SCHEMA_VERSION)
        for v in range(version, SCHEMA_VERSION):
            for statement in _MIGRATIONS[v]:
                db.execute(statement)
        db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))  # i18n: skip (SQL)

    @property
    def schema_version(self) -> int:
        return int(self._conn().execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])  # i18n: skip (SQL)

    # ------------------------------------------------------------------ projects
    @staticmethod
    def clean_name(name: str) -> str:
        name = " ".join(str(name or "").split())
        if not name:
            raise InputError("A project needs a name.")
        if len(name) > MAX_NAME:
            raise InputError("Project names are at most {n} characters.", n=MAX_NAME)
        return name

    def create(self, name: str, kind: str = "user", project_id: str | None = None) -> ProjectInfo:
        pid = project_id or secrets.token_urlsafe(16)
        now = time.time()
        with self._tx() as db:
            db.execute("INSERT INTO projects (id, name, created, modified, kind) VALUES (?, ?, ?, ?, ?)",  # i18n: skip (SQL)
                       (pid, self.clean_name(name), now, now, kind))
        self.project_dir(pid).mkdir(parents=True, exist_ok=True)
        return self.get(pid)

    def get(self, project_id: str | None) -> ProjectInfo | None:
        if not project_id or not _ID_RE.match(str(project_id)):
            return None
        row = self._conn().execute(
            "SELECT id, name, created, modified, corpus_name, n_docs, kind FROM projects WHERE id = ?",  # i18n: skip (SQL)
            (project_id,)).fetchone()
        return ProjectInfo(*row) if row else None

    def list(self, ids: list[str] | None = None) -> list[ProjectInfo]:
        """Every project (ids=None) or those of `ids`, most recently modified first."""
        rows = self._conn().execute(
            "SELECT id, name, created, modified, corpus_name, n_docs, kind FROM projects ORDER BY modified DESC"  # i18n: skip (SQL)
        ).fetchall()
        wanted = None if ids is None else set(ids)
        return [ProjectInfo(*r) for r in rows if wanted is None or r[0] in wanted]

    def remember(self, browser: str, project_id: str) -> None:
        """Note that a browser (the hash of its secret) created or opened a project."""
        with self._tx() as db:
            db.execute("INSERT INTO browser_projects (browser, project_id, seen) VALUES (?, ?, ?) "
                       "ON CONFLICT(browser, project_id) DO UPDATE SET seen = excluded.seen",  # i18n: skip (SQL)
                       (browser, project_id, time.time()))

    def remembered(self, browser: str) -> list[str]:
        rows = self._conn().execute("SELECT project_id FROM browser_projects WHERE browser = ?",  # i18n: skip (SQL)
                                    (browser,)).fetchall()
        return [r[0] for r in rows]

    def find(self, name_or_id: str) -> ProjectInfo:
        """A project by id or by exact name (the CLI's NAME); InputError if none or several."""
        info = self.get(name_or_id)
        if info is not None:
            return info
        rows = [p for p in self.list() if p.name == " ".join(str(name_or_id).split())]
        if not rows:
            raise InputError("No project named {name!r}; `topiclens project list` shows them.", name=name_or_id)
        if len(rows) > 1:
            raise InputError("{n} projects are named {name!r}; use the id instead ({ids}).",
                             n=len(rows), name=name_or_id, ids=", ".join(p.id for p in rows))
        return rows[0]

    def require(self, project_id: str) -> ProjectInfo:
        info = self.get(project_id)
        if info is None:
            raise InputError("That project was not found: it was deleted, or the address is mistyped.")
        return info

    def update(self, project_id: str, **values: Any) -> None:
        """Set catalogue columns (name, corpus_name, n_docs, kind) and bump `modified`."""
        allowed = {"name", "corpus_name", "n_docs", "kind"}
        if "name" in values:
            values["name"] = self.clean_name(values["name"])
        sets = {k: v for k, v in values.items() if k in allowed}
        with self._tx() as db:
            cols = ", ".join(f"{k} = ?" for k in sets) + (", " if sets else "") + "modified = ?"
            db.execute(f"UPDATE projects SET {cols} WHERE id = ?", (*sets.values(), time.time(), project_id))  # i18n: skip (SQL)

    def rename(self, project_id: str, name: str) -> None:
        self.require(project_id)
        self.update(project_id, name=name, kind="user")

    def touch(self, project_id: str) -> None:
        self.update(project_id)

    def delete(self, project_id: str) -> None:
        self.require(project_id)
        with self._tx() as db:
            db.execute("DELETE FROM fields WHERE project_id = ?", (project_id,))  # i18n: skip (SQL)
            db.execute("DELETE FROM browser_projects WHERE project_id = ?", (project_id,))  # i18n: skip (SQL)
            db.execute("DELETE FROM projects WHERE id = ?", (project_id,))  # i18n: skip (SQL)
        folder = self.project_dir(project_id)
        if folder.exists():  # rename first: a half-deleted folder is never mistaken for a project
            trash = folder.with_name(f".deleted-{folder.name}-{secrets.token_hex(4)}")
            folder.rename(trash)
            shutil.rmtree(trash, ignore_errors=True)

    def duplicate(self, project_id: str, name: str | None = None) -> ProjectInfo:
        src = self.require(project_id)
        new = self.create(name or _("{name} (copy)").format(name=src.name))
        try:
            shutil.copytree(self.project_dir(project_id), self.project_dir(new.id), dirs_exist_ok=True,
                            copy_function=_copy_or_disk_full)
        except BaseException:   # e.g. a full disk: no half copy is left
            with contextlib.suppress(DiskFull):
                self.delete(new.id)
            raise
        with self._tx() as db:
            db.execute("INSERT INTO fields (project_id, key, value, modified) "
                       "SELECT ?, key, value, modified FROM fields WHERE project_id = ?", (new.id, project_id))  # i18n: skip (SQL)
        self.update(new.id, corpus_name=src.corpus_name, n_docs=src.n_docs)
        return self.require(new.id)

    def project_dir(self, project_id: str) -> Path:
        if not _ID_RE.match(str(project_id)):
            raise InputError("Not a project id.")
        return self.projects_dir / project_id

    def size_on_disk(self, project_id: str) -> int:
        return dir_size(self.project_dir(project_id))

    def prune_untouched_demos(self, older_than_s: float = 7 * 86_400.0) -> int:
        """Delete demo projects (opened without a project) that nobody worked in (no upload, sweep,
        label or preprocessing: those turn a demo into a user's project) for a week: bounds the
        clutter of one-off visits on a shared server."""
        cutoff = time.time() - older_than_s
        stale = [p.id for p in self.list() if p.kind == "demo" and p.modified < cutoff]
        for pid in stale:
            self.delete(pid)
        return len(stale)

    # ------------------------------------------------------------------ fields
    def set_field(self, project_id: str, key: str, value: Any) -> None:
        text = json.dumps(value, ensure_ascii=False, allow_nan=True)
        now = time.time()
        with self._tx() as db:
            db.execute("INSERT INTO fields (project_id, key, value, modified) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT(project_id, key) DO UPDATE SET value = excluded.value, "
                       "modified = excluded.modified", (project_id, key, text, now))  # i18n: skip (SQL)
            db.execute("UPDATE projects SET modified = ? WHERE id = ?", (now, project_id))  # i18n: skip (SQL)

    def delete_field(self, project_id: str, key: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM fields WHERE project_id = ? AND key = ?", (project_id, key))  # i18n: skip (SQL)

    def get_field(self, project_id: str, key: str, default: Any = None) -> Any:
        row = self._conn().execute("SELECT value FROM fields WHERE project_id = ? AND key = ?",  # i18n: skip (SQL)
                                   (project_id, key)).fetchone()
        return json.loads(row[0]) if row else default

    def fields(self, project_id: str) -> dict[str, Any]:
        rows = self._conn().execute("SELECT key, value FROM fields WHERE project_id = ?", (project_id,)).fetchall()  # i18n: skip (SQL)
        return {k: json.loads(v) for k, v in rows}

    def replace_fields(self, project_id: str, values: dict[str, Any]) -> None:
        """All fields at once (import): one transaction."""
        now = time.time()
        with self._tx() as db:
            db.execute("DELETE FROM fields WHERE project_id = ?", (project_id,))  # i18n: skip (SQL)
            db.executemany("INSERT INTO fields (project_id, key, value, modified) VALUES (?, ?, ?, ?)",  # i18n: skip (SQL)
                           [(project_id, k, json.dumps(v, ensure_ascii=False, allow_nan=True), now)
                            for k, v in values.items()])

    def set_field_unless(self, project_id: str, key: str, value: Any, prefix: str,
                         conflict: Callable[[dict[str, Any]], Any]) -> Any:
        """Write `key` unless `conflict(fields starting with prefix)` finds one (returned, nothing
        written). Read and write happen in one IMMEDIATE transaction: no other process or thread
        writes in between, so two writers cannot both pass the check (a lease claim)."""
        text = json.dumps(value, ensure_ascii=False, allow_nan=True)
        now = time.time()
        with self._tx() as db:
            rows = db.execute("SELECT key, value FROM fields WHERE project_id = ? AND key LIKE ?",  # i18n: skip (SQL)
                              (project_id, prefix + "%")).fetchall()   # a prefilter: exact below
            found = conflict({k: json.loads(v) for k, v in rows if k.startswith(prefix)})
            if found:
                return found
            db.execute("INSERT INTO fields (project_id, key, value, modified) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT(project_id, key) DO UPDATE SET value = excluded.value, "
                       "modified = excluded.modified", (project_id, key, text, now))  # i18n: skip (SQL)
            db.execute("UPDATE projects SET modified = ? WHERE id = ?", (now, project_id))  # i18n: skip (SQL)
        return None
