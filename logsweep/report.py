"""The report: the JSON contract (``schema_version: 1``) as pydantic models."""

from typing import Literal

from pydantic import BaseModel, Field

from logsweep.analyzers.base import IsoTime
from logsweep.analyzers.robots import RobotsSection
from logsweep.analyzers.sshd import AcceptedLogin, SshdSection
from logsweep.analyzers.usb import UsbDevice, UsbSection
from logsweep.analyzers.volume import VolumeSection

FileStatus = Literal["ok", "partial", "error", "unchanged", "gone"]

__all__ = [
    "AcceptedLogin",
    "FileEntry",
    "FileStatus",
    "Report",
    "RobotsSection",
    "SkippedEntry",
    "SshdSection",
    "UsbDevice",
    "UsbSection",
    "VolumeSection",
]


class FileEntry(BaseModel):
    path: str
    family: str
    generation: int = Field(description="0 = live file, higher = older")
    compression: Literal["none", "gzip", "bzip2", "xz", "zstd"]
    format: Literal["rfc3164", "iso8601", "rfc5424", "access", "unknown"]
    fingerprint: str = Field(description="sha256 of the first 4 KiB of decompressed content")
    lines: int
    bytes_read: int = Field(description="decompressed bytes read by this run")
    status: FileStatus
    error: str | None = None
    unparsed_lines: int = Field(default=0, description="lines that do not fit the file's format")
    truncated_lines: int = Field(default=0, description="lines over the length limit, cut")


class SkippedEntry(BaseModel):
    path: str
    reason: str


class Report(BaseModel):
    schema_version: Literal[1] = 1
    generated_at: IsoTime
    timezone: str = Field(description="zone used for year-less timestamps")
    analyzers: list[str]
    files: list[FileEntry]
    skipped: list[SkippedEntry] = Field(default_factory=list)
    window_start: IsoTime | None = Field(
        default=None, description="stateful reports: hours from this instant (None: all retained)"
    )
    window_end: IsoTime | None = Field(default=None, description="stateful reports: hours before")
    usb: UsbSection | None = None
    sshd: SshdSection | None = None
    robots: RobotsSection | None = None
    volume: VolumeSection | None = None

    @property
    def failed_files(self) -> list[FileEntry]:
        return [f for f in self.files if f.status in ("error", "partial")]
