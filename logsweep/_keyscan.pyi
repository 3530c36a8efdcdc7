# A group: (programs, or None for any, needles), one per analyzer (blockcount.Wanted).
Groups = tuple[tuple[tuple[bytes, ...] | None, tuple[bytes, ...]], ...]

def count_rfc3164(
    block: bytes, minute: bool, groups: Groups = ()
) -> tuple[int, dict[tuple[bytes, bytes, bytes], int], list[bytes], list[bytes]]: ...
def count_access(
    block: bytes, minute: bool, groups: Groups = ()
) -> tuple[int, dict[tuple[bytes, bytes], int], list[bytes], list[bytes]]: ...
