# The literal each of sshd.RULES starts with, as the kernel knows them.
RULE_STARTS: tuple[str, ...]

# [(stamp, (rule, fields, lines))], and the indices of the lines left undecided.
def sshd_events(
    lines: bytes, minute: bool
) -> tuple[list[tuple[bytes, tuple[str, tuple[str, ...], int]]], list[int]]: ...
