"""Hostile zip archives built in memory for the tests (import this module, never conftest)."""

from __future__ import annotations

import io
import stat
import zipfile


def zip_of(entries: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def declared(data: bytes, size: int) -> bytes:
    """The zip with its (single) member's uncompressed size rewritten to `size` in both headers."""
    raw = bytearray(data)
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = raw.find(sig) + off
        raw[at:at + 4] = size.to_bytes(4, "little")
    return bytes(raw)


def bad_crc(entries: dict[str, bytes]) -> bytes:
    raw = bytearray(zip_of(entries, zipfile.ZIP_STORED))
    first = next(iter(entries.values()))
    at = raw.find(first)
    raw[at] ^= 0x20
    return bytes(raw)


def encrypted(entries: dict[str, bytes]) -> bytes:
    raw = bytearray(zip_of(entries))
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        raw[raw.find(sig) + off] |= 0x1
    return bytes(raw)


def symlink_zip() -> bytes:
    buf = io.BytesIO()
    info = zipfile.ZipInfo("link.txt")
    info.create_system, info.external_attr = 3, (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(info, "/etc/passwd")
        zf.writestr("doc.txt", "正常的文档")
    return buf.getvalue()


def traversal_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("../../evil.txt"), "x")
    return buf.getvalue()
