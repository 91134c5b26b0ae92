"""core.safezip: caps enforced while inflating, unsafe names refused, atomic extraction."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest

from core.errors import InputError
from core.safezip import MIB, Limits, SafeZip, safe_relative_name
from zip_fixtures import declared, zip_of


def declared_zip(name: str, data: bytes, declared_size: int) -> bytes:
    return declared(zip_of({name: data}), declared_size)


def test_reads_members_and_counts_bytes():
    data = zip_of({"a.txt": b"hello", "dir/b.txt": b"world!", "dir/": b""})
    with SafeZip(data) as zf:
        assert zf.names() == ["a.txt", "dir/b.txt"]
        assert zf.read("dir/b.txt") == b"world!"
        assert zf.bytes_read == 6
        with pytest.raises(InputError, match="no entry"):
            zf.read("missing.txt")


def test_lying_header_never_yields_more_than_declared():
    payload = b"x" * (3 * MIB)
    data = declared_zip("bomb.txt", payload, 10)
    limits = Limits(max_total_bytes=2 * MIB, max_ratio=1e9)
    with SafeZip(data, limits) as zf:  # the header says 10 bytes: passes the declared check
        with pytest.raises(InputError, match="damaged"):
            zf.read("bomb.txt")
        assert zf.bytes_read <= 10


def test_total_cap_counts_every_read():
    data = zip_of({"a.txt": b"a" * 600_000, "b.txt": b"b" * 600_000})
    with SafeZip(data, Limits(max_total_bytes=1_300_000, max_ratio=1e9)) as zf:
        zf.read("a.txt")
        zf.read("b.txt")
        with pytest.raises(InputError, match="too large when unpacked"):
            zf.read("a.txt")  # a second pass still counts against the archive's budget


def test_declared_size_over_cap_refused_before_inflating():
    data = zip_of({"a.txt": b"a" * (2 * MIB)})
    with pytest.raises(InputError, match="too large"):
        SafeZip(data, Limits(max_total_bytes=MIB, max_ratio=1e9))


def test_ratio_cap_catches_a_bomb_under_the_size_cap():
    data = zip_of({"zeros.txt": b"\0" * (8 * MIB)})
    assert len(data) < 20_000
    with SafeZip(data, Limits(max_total_bytes=64 * MIB, max_ratio=100)) as zf:
        with pytest.raises(InputError, match="zip bomb"):
            zf.read("zeros.txt")


def test_small_members_may_compress_well():
    data = zip_of({"spaces.txt": b" " * 500_000})
    with SafeZip(data, Limits(max_ratio=10)) as zf:
        assert len(zf.read("spaces.txt")) == 500_000


def test_member_count_cap():
    data = zip_of({f"{i}.txt": b"x" for i in range(12)})
    with pytest.raises(InputError, match="12 entries"):
        SafeZip(data, Limits(max_members=10))


@pytest.mark.parametrize("name", ["../evil.txt", "a/../../evil.txt", "/etc/passwd", "C:/x.txt", "..\\evil.txt",
                                  "c:evil.txt"])
def test_unsafe_names_refused(name):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo(name), b"x")
    with pytest.raises(InputError, match="unsafe path"):
        SafeZip(buf.getvalue())


def test_safe_relative_name_normalises():
    assert safe_relative_name("./a//b\\c.txt") == "a/b/c.txt"
    for bad in ("", ".", "a/..", "x\x00y"):
        with pytest.raises(InputError):
            safe_relative_name(bad)


def test_symlink_refused():
    buf = io.BytesIO()
    info = zipfile.ZipInfo("link.txt")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(InputError, match="symbolic link"):
        SafeZip(buf.getvalue())


def test_encrypted_member_refused():
    raw = bytearray(zip_of({"a.txt": b"secret"}))
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # set the "encrypted" flag bit
        at = raw.find(sig) + off
        raw[at] |= 0x1
    with pytest.raises(InputError, match="encrypted"):
        SafeZip(bytes(raw))


def test_bad_crc_is_an_input_error():
    raw = bytearray(zip_of({"a.txt": b"hello world, hello world"}, method=zipfile.ZIP_STORED))
    at = raw.find(b"hello world")
    raw[at] = ord("J")
    with SafeZip(bytes(raw)) as zf:
        with pytest.raises(InputError, match="bad CRC"):
            zf.read("a.txt")


def test_duplicate_names_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", b"1")
        with pytest.warns(UserWarning):
            zf.writestr("a.txt", b"2")
    with pytest.raises(InputError, match="two entries"):
        SafeZip(buf.getvalue())


def test_not_a_zip_and_non_regular_path(tmp_path):
    with pytest.raises(InputError, match="damaged or not a zip"):
        SafeZip(b"hello")
    with pytest.raises(InputError, match="not a regular file"):
        SafeZip(tmp_path)


def test_extract_is_atomic_and_flattens(tmp_path: Path):
    data = zip_of({"m/config.json": b"{}", "m/big.txt": b"y" * (2 * MIB)})
    dest = tmp_path / "out"
    with SafeZip(data, Limits(max_ratio=1e9)) as zf:
        with pytest.raises(InputError, match="over 1 MB"):
            zf.extract({"m/config.json": "config.json", "m/big.txt": "big.txt"}, dest,
                       max_bytes={"m/big.txt": MIB})
    assert list(tmp_path.iterdir()) == []  # neither dest nor the temp folder is left
    with SafeZip(data, Limits(max_ratio=1e9)) as zf:
        zf.extract({"m/config.json": "config.json", "m/big.txt": "big.txt"}, dest)
    assert sorted(p.name for p in dest.iterdir()) == ["big.txt", "config.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    with SafeZip(data) as zf:
        with pytest.raises(InputError, match="already exists"):
            zf.extract(["m/config.json"], dest)
        with pytest.raises(InputError, match="unsafe path"):
            zf.extract({"m/config.json": "../x.json"}, tmp_path / "other")


def test_limits_from_env(monkeypatch):
    monkeypatch.setenv("TOPICLENS_MAX_UNCOMPRESSED_MB", "3")
    monkeypatch.setenv("TOPICLENS_MAX_ZIP_RATIO", "nonsense")
    lim = Limits.from_env(max_members=5)
    assert (lim.max_total_bytes, lim.max_ratio, lim.max_members) == (3 * MIB, 200.0, 5)
