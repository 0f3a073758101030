"""What "today" is for the tracker: the date in TRACKER_TIMEZONE (an IANA name, UTC by default)."""

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracker.errors import refuse


def timezone() -> ZoneInfo:
    name = os.environ.get("TRACKER_TIMEZONE", "UTC").strip() or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise refuse("bad_timezone", {"value": name}, at="TRACKER_TIMEZONE") from exc


def today() -> date:
    return datetime.now(timezone()).date()


def utc_now() -> datetime:
    return datetime.now(UTC)
