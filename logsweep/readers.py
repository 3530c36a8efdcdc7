"""Open any rotated log, compressed or not, and stream its lines with bounded memory.

Compression is recognised by magic bytes, never by file name: logrotate setups
rename and recompress freely, and a ``.gz`` name on a plain file is common.
"""

import bz2
import hashlib
import io
import lzma
import struct
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO, cast

import isal.igzip
import zstandard

CHUNK_BYTES = 1 << 20
MAX_LINE_BYTES = 1 << 20
FINGERPRINT_BYTES = 4096


class Compression(StrEnum):
    NONE = "none"
    GZIP = "gzip"
    BZIP2 = "bzip2"
    XZ = "xz"
    ZSTD = "zstd"


_MAGIC: tuple[tuple[bytes, Compression], ...] = (
    (b"\x1f\x8b", Compression.GZIP),
    (b"BZh", Compression.BZIP2),
    (b"\xfd7zXZ\x00", Compression.XZ),
    (b"\x28\xb5\x2f\xfd", Compression.ZSTD),
)


def sniff_compression(head: bytes) -> Compression:
    """Name the compression whose magic number starts ``head``."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return Compression.NONE


def detect_compression(path: Path) -> Compression:
    with path.open("rb") as raw:
        return sniff_compression(raw.read(6))


def gzip_header_mtime(path: Path) -> int | None:
    """The MTIME field of a gzip member header, or None when unset or not gzip.

    gzip records the original file's mtime there, which survives copies that
    lose the file system's mtime, so it is the better anchor for year-less logs.
    """
    with path.open("rb") as raw:
        header = raw.read(8)
    if len(header) < 8 or not header.startswith(b"\x1f\x8b"):
        return None
    (mtime,) = struct.unpack("<I", header[4:8])
    return mtime or None


def open_decompressed(raw: BinaryIO, compression: Compression) -> BinaryIO:
    """Wrap an open binary file so that reads return decompressed bytes."""
    if compression is Compression.GZIP:
        # isal's reader handles multi-member files (cat a.gz b.gz) like gzip(1).
        gz = isal.igzip.IGzipFile(fileobj=raw, mode="rb")  # type: ignore[no-untyped-call]
        return cast(BinaryIO, gz)
    if compression is Compression.BZIP2:
        return cast(BinaryIO, bz2.BZ2File(raw, mode="rb"))
    if compression is Compression.XZ:
        return cast(BinaryIO, lzma.LZMAFile(raw, mode="rb"))
    if compression is Compression.ZSTD:
        # read_across_frames: logrotate-style appends produce several frames.
        reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
        return cast(BinaryIO, io.BufferedReader(reader, buffer_size=CHUNK_BYTES))
    return raw


class LineStream:
    """Iterate over a decompressed stream in batches of lines (``list[bytes]``).

    Batches, not single lines, because a Python generator step per line costs
    as much as parsing it.  Memory stays bounded: one chunk plus at most one
    over-long line prefix.  A line longer than ``max_line`` is cut to that
    length, counted in ``truncated_lines``, and the rest of it is skipped.

    ``initial`` holds bytes already taken from the stream (the head read for
    the fingerprint).  A last line without a newline counts, unless
    ``hold_partial_tail``: a live file's last line may still be being written,
    so a stateful scan leaves it for the next run; ``consumed`` then stops
    before it.  ``tail`` is the last ``tail_bytes`` consumed, which the ledger
    uses to notice a file rewritten under the same name.
    """

    def __init__(
        self,
        stream: BinaryIO,
        *,
        max_line: int = MAX_LINE_BYTES,
        chunk: int = CHUNK_BYTES,
        initial: bytes = b"",
        hold_partial_tail: bool = False,
        tail_bytes: int = 0,
    ) -> None:
        self._stream = stream
        self._max_line = max_line
        self._chunk = chunk
        self._initial = initial
        self._hold = hold_partial_tail
        self._tail_bytes = tail_bytes
        self._window = b""
        self._held = 0
        self.bytes_read = 0
        self.truncated_lines = 0

    @property
    def consumed(self) -> int:
        """Bytes read through the last line that was yielded."""
        return self.bytes_read - self._held

    @property
    def tail(self) -> bytes:
        """Up to ``tail_bytes`` of the data just before ``consumed``."""
        end = len(self._window) - self._held
        return self._window[max(0, end - self._tail_bytes) : end]

    def _cut(self, line: bytes) -> bytes:
        if len(line) > self._max_line:
            self.truncated_lines += 1
            return line[: self._max_line]
        return line

    def _chunks(self) -> Iterator[bytes]:
        if self._initial:
            yield self._initial
        # read1 returns what one decompression step produced; read(n) would lose
        # everything it had gathered if a truncated stream ends inside the call.
        read = getattr(self._stream, "read1", self._stream.read)
        while chunk := read(self._chunk):
            yield chunk

    def batches(self) -> Iterator[list[bytes]]:
        carry = b""
        skipping = False  # inside the unread tail of an over-long line
        keep = self._tail_bytes + self._max_line + 1  # the held tail plus the check window
        for chunk in self._chunks():
            self.bytes_read += len(chunk)
            if self._tail_bytes:
                self._window = (self._window + chunk)[-keep:]
            parts = chunk.split(b"\n")
            if len(parts) == 1:
                if skipping:
                    continue
                carry += chunk
                if len(carry) > self._max_line:
                    yield [self._cut(carry)]
                    carry, skipping = b"", True
                continue
            batch: list[bytes] = []
            if skipping:
                skipping = False
            else:
                batch.append(self._cut(carry + parts[0]))
            for line in parts[1:-1]:
                batch.append(self._cut(line) if len(line) > self._max_line else line)
            carry = parts[-1]
            if len(carry) > self._max_line:
                batch.append(self._cut(carry))
                carry, skipping = b"", True
            yield batch
        if carry and not skipping:
            if self._hold:
                self._held = len(carry)
            else:
                yield [carry]

    def __iter__(self) -> Iterator[bytes]:
        for batch in self.batches():
            yield from batch


def read_head(stream: BinaryIO, size: int = FINGERPRINT_BYTES) -> bytes:
    """The first ``size`` bytes (fewer only at end of stream)."""
    parts: list[bytes] = []
    got = 0
    while got < size:
        part = stream.read(size - got)
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def fingerprint(head: bytes) -> str:
    """sha256 of a file's decompressed head: the same file renamed and compressed keeps it."""
    return hashlib.sha256(head).hexdigest()


def skip_bytes(stream: BinaryIO, count: int, keep: int) -> bytes:
    """Read and drop ``count`` bytes; return the last ``keep`` of them (fewer at EOF)."""
    tail = b""
    while count > 0:
        part = stream.read(min(count, CHUNK_BYTES))
        if not part:
            break
        count -= len(part)
        tail = (tail + part)[-keep:] if keep else b""
    return tail
