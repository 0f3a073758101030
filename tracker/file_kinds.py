"""What a path can name besides a regular file, as messages call it."""

import stat

NOT_REGULAR = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def kind_of(mode: int) -> str:
    """What a file of this mode is, in words: "a regular file", "a folder", "a named pipe"…"""
    if stat.S_ISREG(mode):
        return "a regular file"
    return next((kind for is_kind, kind in NOT_REGULAR if is_kind(mode)), "a special file")
