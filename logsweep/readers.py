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
    """Iterate over a decompressed stream in blocks of whole lines.

    ``blocks()`` yields ``bytes`` holding complete lines, each ending in
    ``\n``: the scan counts and searches a block with one C-level call
    instead of a Python step per line.  ``batches()`` splits them into lists
    of lines for the line-by-line path.  Memory stays bounded: one chunk plus
    at most one over-long line prefix.  A line longer than ``max_line`` is cut
    to that length, counted in ``truncated_lines``, and the rest of it is
    skipped.

    ``initial`` holds bytes already taken from the stream (the head read for
    the fingerprint).  A last line without a newline counts (the block gets
    the newline it lacks), unless ``hold_partial_tail``: a live file's last
    line may still be being written, so a stateful scan leaves it for the
    next run; ``consumed`` then stops before it.  ``tail`` is the last
    ``tail_bytes`` consumed, which the ledger uses to notice a file rewritten
    under the same name.
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
        self.truncated_lines += 1
        return line[: self._max_line]

    def _chunks(self) -> Iterator[bytes]:
        if self._initial:
            yield self._initial
        # read1 returns what one decompression step produced; read(n) would lose
        # everything it had gathered if a truncated stream ends inside the call.
        read = getattr(self._stream, "read1", self._stream.read)
        while chunk := read(self._chunk):
            yield chunk

    def _has_long_line(self, data: bytes, pos: int, end: int) -> bool:
        """Whether some line of ``data[pos:end]`` (whole lines) is longer than ``max_line``.

        Jumps a window of ``max_line`` bytes at a time: a few steps per block,
        not one per line.
        """
        limit = self._max_line
        while end - pos > limit:
            newline = data.rfind(b"\n", pos, pos + limit + 1)
            if newline < 0:
                return True
            pos = newline + 1
        return False

    def _all_short(self, chunk: bytes, carried: int, first: int, last: int) -> bool:
        """Whether no line that ``chunk`` ends, nor its unfinished tail, needs cutting."""
        limit = self._max_line
        return (
            carried + first <= limit
            and len(chunk) - last - 1 <= limit
            and not self._has_long_line(chunk, first + 1, last + 1)
        )

    def _cut_long_lines(self, body: bytes) -> bytes:
        lines = body.split(b"\n")
        cut = [self._cut(line) if len(line) > self._max_line else line for line in lines]
        return b"\n".join(cut)

    def blocks(self) -> Iterator[bytes]:
        carry = b""
        skipping = False  # inside the unread tail of an over-long line
        keep = self._tail_bytes + self._max_line + 1  # the held tail plus the check window
        for chunk in self._chunks():
            self.bytes_read += len(chunk)
            if self._tail_bytes:
                self._window = (self._window + chunk)[-keep:]
            first = chunk.find(b"\n")
            if first < 0:
                if skipping:
                    continue
                carry += chunk
                if len(carry) > self._max_line:
                    yield self._cut(carry) + b"\n"
                    carry, skipping = b"", True
                continue
            last = chunk.rfind(b"\n")
            if not skipping and self._all_short(chunk, len(carry), first, last):
                # The usual chunk: one copy of it, not a head and a body glued together.
                block = b"".join((carry, memoryview(chunk)[: last + 1]))
                carry = chunk[last + 1 :]
                yield block
                continue
            head = b"" if skipping else carry + chunk[: first + 1]
            skipping = False
            if len(head) > self._max_line + 1:
                head = self._cut(head[:-1]) + b"\n"
            body = chunk[first + 1 : last + 1]
            if len(body) > self._max_line and self._has_long_line(body, 0, len(body)):
                body = self._cut_long_lines(body)
            carry = chunk[last + 1 :]
            if len(carry) > self._max_line:
                body += self._cut(carry) + b"\n"
                carry, skipping = b"", True
            block = head + body
            if block:
                yield block
        if carry and not skipping:
            if self._hold:
                self._held = len(carry)
            else:
                yield carry + b"\n"

    def batches(self) -> Iterator[list[bytes]]:
        for block in self.blocks():
            yield block[:-1].split(b"\n")

    def __iter__(self) -> Iterator[bytes]:
        for batch in self.batches():
            yield from batch


def line_start(raw: BinaryIO, offset: int) -> int:
    """Where the first line starting at or after ``offset`` begins (file size at EOF)."""
    if offset <= 0:
        return 0
    raw.seek(offset - 1)
    position = offset - 1
    while part := raw.read(1 << 16):
        newline = part.find(b"\n")
        if newline >= 0:
            return position + newline + 1
        position += len(part)
    return position


class ByteRange:
    """Reads of ``raw`` from where it stands, for ``length`` bytes at most: one part of a file."""

    def __init__(self, raw: BinaryIO, length: int) -> None:
        self._raw = raw
        self._left = length

    def read(self, size: int = -1) -> bytes:
        size = self._left if size < 0 else min(size, self._left)
        data = self._raw.read(size) if size else b""
        self._left -= len(data)
        return data

    read1 = read


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
