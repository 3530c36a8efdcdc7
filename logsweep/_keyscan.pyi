def count_rfc3164(
    block: bytes,
    minute: bool,
    programs: tuple[bytes, ...] = (),
    needles: tuple[bytes, ...] = (),
) -> tuple[int, dict[tuple[bytes, bytes, bytes], int], list[bytes], list[bytes]]: ...
def count_access(
    block: bytes, minute: bool, needles: tuple[bytes, ...] = ()
) -> tuple[int, dict[tuple[bytes, bytes], int], list[bytes], list[bytes]]: ...
