# The literal each of sshd.RULES starts with, as the kernel knows them.
RULE_STARTS: tuple[str, ...]

def sshd_events(
    lines: bytes, minute: bool
) -> tuple[dict[str, dict[tuple[bytes, ...], int]], list[int]]: ...
