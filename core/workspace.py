"""Where TopicLens keeps what lasts: one workspace folder ($TOPICLENS_WORKSPACE or ./workspace).

Every module that writes to disk asks this one for its folder, so the layout lives in one place:
    workspace/projects.db        the project catalogue (SQLite, WAL)
    workspace/projects/<id>/     a project's bulk data (corpus bytes, arrays, tables, models)
    workspace/finetune/<owner>/  fine-tune runs of sessions without a project, uploads
    workspace/models/            models an administrator puts there for the "local folder" source
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from core import settings


def workspace_root() -> Path:
    """Folder for everything saved: $TOPICLENS_WORKSPACE or ./workspace (git-ignored)."""
    return Path(settings.get("TOPICLENS_WORKSPACE")).resolve()


def owner_dir(owner: str) -> Path:
    """Per-session fine-tune folder; named by a hash so folder names never reveal the owner token."""
    return workspace_root() / "finetune" / hashlib.sha256(owner.encode("utf-8")).hexdigest()[:20]
