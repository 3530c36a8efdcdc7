from logsweep.analyzers.sshd import StampCounts

# The literal each of sshd.RULES starts with, as the kernel knows them.
RULE_STARTS: tuple[str, ...]

# [(stamp, (rule, fields, lines))], and the indices of the lines left undecided.
def sshd_events(
    lines: bytes, minute: bool
) -> tuple[list[tuple[bytes, tuple[str, tuple[str, ...], int]]], list[int]]: ...

# A stamp's events added up, as sshd.add_read adds them to a partial.
def sshd_counts(lines: bytes, minute: bool) -> tuple[dict[bytes, StampCounts], list[int]]: ...
