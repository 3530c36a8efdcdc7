import bz2
import gzip
import io
import lzma
from pathlib import Path

import pytest
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from logsweep.readers import (
    FINGERPRINT_BYTES,
    Compression,
    LineStream,
    detect_compression,
    fingerprint,
    gzip_header_mtime,
    open_decompressed,
    read_head,
)

TEXT = b"first line\nsecond line\nlast line without newline"
LINES = [b"first line", b"second line", b"last line without newline"]


def zstd_two_frames(data: bytes) -> bytes:
    half = len(data) // 2
    c = zstandard.ZstdCompressor()
    return c.compress(data[:half]) + c.compress(data[half:])


COMPRESSORS = {
    Compression.NONE: lambda d: d,
    Compression.GZIP: lambda d: gzip.compress(d[:10]) + gzip.compress(d[10:]),  # multi-member
    Compression.BZIP2: bz2.compress,
    Compression.XZ: lzma.compress,
    Compression.ZSTD: zstd_two_frames,
}


@pytest.mark.parametrize("kind", list(Compression))
def test_every_compression_is_detected_by_magic_and_read_to_the_end(
    kind: Compression, tmp_path: Path
) -> None:
    # A misleading name: detection must not trust it.
    path = tmp_path / "syslog.1.gz"
    path.write_bytes(COMPRESSORS[kind](TEXT))
    assert detect_compression(path) is kind
    with path.open("rb") as raw:
        stream = LineStream(open_decompressed(raw, kind))
        assert list(stream) == LINES
        assert stream.bytes_read == len(TEXT)


def test_gzip_header_mtime(tmp_path: Path) -> None:
    path = tmp_path / "a.gz"
    path.write_bytes(gzip.compress(b"x\n", mtime=1795528800))
    assert gzip_header_mtime(path) == 1795528800
    path.write_bytes(gzip.compress(b"x\n", mtime=0))
    assert gzip_header_mtime(path) is None  # unset
    path.write_bytes(b"plain\n")
    assert gzip_header_mtime(path) is None


def test_over_long_line_is_cut_counted_and_the_scan_goes_on() -> None:
    data = b"short\n" + b"x" * 5000 + b"\nafter\n"
    stream = LineStream(io.BytesIO(data), max_line=1000, chunk=64)
    lines = list(stream)
    assert lines == [b"short", b"x" * 1000, b"after"]
    assert stream.truncated_lines == 1


def test_over_long_last_line_without_newline() -> None:
    stream = LineStream(io.BytesIO(b"a\n" + b"y" * 300), max_line=100, chunk=32)
    assert list(stream) == [b"a", b"y" * 100]
    assert stream.truncated_lines == 1


def test_memory_stays_bounded_on_a_huge_line() -> None:
    """A 64 MiB line never sits in memory whole: chunks are dropped past the limit."""

    class Endless(io.RawIOBase):
        def __init__(self) -> None:
            self.left = 64 << 20

        def readable(self) -> bool:
            return True

        def readinto(self, b: bytearray) -> int:  # type: ignore[override]
            n = min(len(b), self.left)
            b[:n] = b"z" * n
            self.left -= n
            return n

    stream = LineStream(io.BufferedReader(Endless()), max_line=1 << 20)
    sizes = [len(line) for line in stream]
    assert sizes == [1 << 20]
    assert stream.bytes_read == 64 << 20


def test_fingerprint_covers_the_decompressed_head(tmp_path: Path) -> None:
    plain = tmp_path / "a"
    plain.write_bytes(TEXT * 500)
    packed = tmp_path / "a.gz"
    packed.write_bytes(gzip.compress(TEXT * 500))
    prints = []
    for path, kind in ((plain, Compression.NONE), (packed, Compression.GZIP)):
        with path.open("rb") as raw:
            head = read_head(open_decompressed(raw, kind))
            assert len(head) == FINGERPRINT_BYTES
            prints.append(fingerprint(head))
    assert prints[0] == prints[1]  # renamed and compressed, still the same file


def test_held_tail_and_consumed_offset() -> None:
    stream = LineStream(
        io.BytesIO(b"b\nc\npartial"), initial=b"a\n", hold_partial_tail=True, tail_bytes=3, chunk=2
    )
    assert list(stream) == [b"a", b"b", b"c"]
    assert stream.consumed == len(b"a\nb\nc\n")
    assert stream.tail == b"\nc\n"  # the bytes just before the offset, not the held line


@settings(max_examples=200, deadline=None)
@given(
    data=st.binary(max_size=600).map(lambda b: b.replace(b"\r", b"")),
    chunk=st.integers(min_value=1, max_value=64),
)
def test_lines_equal_a_plain_split_for_any_chunking(data: bytes, chunk: int) -> None:
    expected = data.split(b"\n")
    if expected and expected[-1] == b"":
        expected.pop()
    assert list(LineStream(io.BytesIO(data), chunk=chunk, max_line=10_000)) == expected


@settings(max_examples=300, deadline=None)
@given(
    lengths=st.lists(st.integers(min_value=0, max_value=40), max_size=30),
    final_newline=st.booleans(),
    chunk=st.integers(min_value=1, max_value=64),
    max_line=st.integers(min_value=1, max_value=24),
)
def test_long_lines_are_cut_for_any_chunking(
    lengths: list[int], final_newline: bool, chunk: int, max_line: int
) -> None:
    """Lines around the cut length, in chunks smaller and larger than it: each line is
    cut to ``max_line`` and counted, wherever the chunk boundaries fall."""
    lines = [bytes([97 + i % 26]) * n for i, n in enumerate(lengths)]
    data = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    expected = [line[:max_line] for line in data.split(b"\n")]
    if data.endswith(b"\n") or not data:  # no line after the last newline
        expected.pop()
    stream = LineStream(io.BytesIO(data), chunk=chunk, max_line=max_line)
    assert list(stream) == expected
    assert stream.truncated_lines == sum(len(line) > max_line for line in data.split(b"\n"))
