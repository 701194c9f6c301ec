"""Failed roster uploads, kept only so their uploader can download them back with the errors marked.

They hold personal data, so they live in the configured media storage (shared between web
processes, never a client-supplied path) under a random token, bound to the uploader and
the class, and are deleted after the download or, at the latest, after a day.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from .roster_workbook import RosterError

DIRECTORY = "roster_uploads"
MAX_AGE = timedelta(days=1)
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{32}")


@dataclass
class FailedUpload:
    data: bytes
    errors: list[RosterError]
    filename: str


def _paths(token: str) -> tuple[str, str]:
    return f"{DIRECTORY}/{token}.xlsx", f"{DIRECTORY}/{token}.json"


def failed_upload_store(*, data: bytes, errors: list[RosterError], filename: str, user_id: int, class_id: int) -> str:
    """Keep a refused upload and its errors; return the token that names it."""
    failed_uploads_purge()
    token = secrets.token_urlsafe(24)
    data_path, meta_path = _paths(token)
    meta = {
        "user_id": user_id,
        "class_id": class_id,
        "filename": filename[:200],
        "errors": [[e.row, e.column, e.message] for e in errors],
    }
    default_storage.save(data_path, ContentFile(data))
    default_storage.save(meta_path, ContentFile(json.dumps(meta, ensure_ascii=False).encode("utf-8")))
    return token


def failed_upload_take(*, token: str, user_id: int, class_id: int) -> FailedUpload | None:
    """The upload named by ``token`` if it belongs to this user and class; it is deleted as it is taken."""
    if not _TOKEN_RE.fullmatch(token or ""):
        return None
    failed_uploads_purge()
    data_path, meta_path = _paths(token)
    if not default_storage.exists(meta_path):
        return None
    with default_storage.open(meta_path, "rb") as handle:
        meta = json.loads(handle.read().decode("utf-8"))
    if meta.get("user_id") != user_id or meta.get("class_id") != class_id:
        return None
    data = b""
    if default_storage.exists(data_path):
        with default_storage.open(data_path, "rb") as handle:
            data = handle.read()
    failed_upload_delete(token)
    errors = [RosterError(row, column, message) for row, column, message in meta["errors"]]
    return FailedUpload(data=data, errors=errors, filename=meta.get("filename", ""))


def failed_upload_delete(token: str) -> None:
    for path in _paths(token):
        if default_storage.exists(path):
            default_storage.delete(path)


def failed_uploads_purge(*, max_age: timedelta = MAX_AGE) -> int:
    """Delete kept uploads older than ``max_age``; returns how many files were deleted."""
    try:
        _, files = default_storage.listdir(DIRECTORY)
    except FileNotFoundError:
        return 0
    cutoff = timezone.now() - max_age
    deleted = 0
    for name in files:
        path = f"{DIRECTORY}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                deleted += 1
        except FileNotFoundError:
            continue  # another process purged it first
    return deleted
