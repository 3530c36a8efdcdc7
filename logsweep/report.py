"""The report: the JSON contract (``schema_version: 1``) as pydantic models.

The reduce's side only: pool workers make ``FileEntry`` values and partials,
neither of them pydantic (see ``logsweep.sections``).
"""

from typing import Literal

from pydantic import BaseModel, Field

from logsweep.entries import FileEntry, FileStatus
from logsweep.sections import IsoTime
from logsweep.sections.robots import RobotsSection
from logsweep.sections.sshd import AcceptedLogin, SshdSection
from logsweep.sections.usb import UsbDevice, UsbSection
from logsweep.sections.volume import VolumeSection

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
