"""What a stateful scan knows of files it has read before, and how it recognises them.

A file is known by the fingerprint of its *decompressed* head, never by its
name or inode: ``syslog.1`` becomes ``syslog.2.gz`` overnight, and both the
rename and the compression must leave it recognisable.  A file shorter than
the fingerprint window is known by its whole content; when it grows, its
old content is a prefix of the new head, which is how it is found again.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from logsweep.readers import FINGERPRINT_BYTES, fingerprint

CHECK_BYTES = 1024  # the bytes before a resume offset, compared to notice rewrites


@dataclass(frozen=True, slots=True)
class Known:
    """One file in the ledger, as far as reading it again is concerned."""

    entry_id: int
    path: str
    head_len: int  # bytes covered by the fingerprint (< FINGERPRINT_BYTES: a short file)
    fingerprint: str
    offset: int  # decompressed bytes read, through the last complete line
    lines: int
    check: str  # fingerprint() of the CHECK_BYTES before offset
    complete: bool  # rotated and read to its end: it will not change again
    format: str


@dataclass(frozen=True, slots=True)
class KnownFiles:
    """Every known file, indexed for matching a head read from disk."""

    by_fingerprint: dict[str, tuple[Known, ...]] = field(default_factory=dict)
    short_heads: tuple[int, ...] = ()  # distinct head_len values below FINGERPRINT_BYTES

    @classmethod
    def of(cls, known: Iterable[Known]) -> "KnownFiles":
        index: dict[str, list[Known]] = {}
        short: set[int] = set()
        for k in known:
            index.setdefault(k.fingerprint, []).append(k)
            if k.head_len < FINGERPRINT_BYTES:
                short.add(k.head_len)
        return cls({fp: tuple(ks) for fp, ks in index.items()}, tuple(sorted(short, reverse=True)))

    def match(self, head: bytes, path: str) -> Known | None:
        """The known file this head belongs to: same head, or a short one it grew from.

        Several candidates (identical short files) prefer the one at the same path.
        """
        if not head:
            return None  # an empty file holds nothing to lose or to double count
        candidates = [
            k for k in self.by_fingerprint.get(fingerprint(head), ()) if k.head_len == len(head)
        ]
        for length in self.short_heads:
            if length < len(head):
                candidates += [
                    k
                    for k in self.by_fingerprint.get(fingerprint(head[:length]), ())
                    if k.head_len == length
                ]
        if not candidates:
            return None
        return next((k for k in candidates if k.path == path), candidates[0])
