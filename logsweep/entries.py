"""What a scan says about one file: ``FileEntry``, one per file of the report.

Pool workers make these, so it is a plain dataclass: workers never import
pydantic (``logsweep.sections``).  The report (``logsweep.report``) holds a
list of them, and pydantic validates and writes them there as its own models.
"""

from dataclasses import dataclass
from typing import Literal

FileStatus = Literal["ok", "partial", "error", "unchanged", "gone"]


@dataclass(kw_only=True)
class FileEntry:
    path: str
    family: str
    generation: int  # 0 = live file, higher = older
    compression: Literal["none", "gzip", "bzip2", "xz", "zstd"]
    format: Literal["rfc3164", "iso8601", "rfc5424", "access", "unknown"]
    fingerprint: str  # sha256 of the first 4 KiB of decompressed content
    lines: int
    bytes_read: int  # decompressed bytes read by this run
    status: FileStatus
    error: str | None = None
    unparsed_lines: int = 0  # lines that do not fit the file's format
    truncated_lines: int = 0  # lines over the length limit, cut
