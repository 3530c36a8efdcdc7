# The literal each of sshd.RULES starts with, as the kernel knows them.
RULE_STARTS: tuple[str, ...]

# [(stamp, (rule, fields, lines))], and the indices of the lines left undecided.
def sshd_events(
    lines: bytes, minute: bool
) -> tuple[list[tuple[bytes, tuple[str, tuple[str, ...], int]]], list[int]]: ...

# A stamp's events added up: failures, {ip: n}, {user: n}, {invalid user: n},
# {pam_unix rhost: n}, {(user, ip, method): n} (sshd.StampCounts).
def sshd_counts(
    lines: bytes, minute: bool
) -> tuple[
    dict[
        bytes,
        tuple[
            int,
            dict[str, int],
            dict[str, int],
            dict[str, int],
            dict[str, int],
            dict[tuple[str, str, str], int],
        ],
    ],
    list[int],
]: ...
