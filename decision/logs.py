"""Logging pieces the settings name."""

from __future__ import annotations

import logging
from collections.abc import Callable


def without_traceback() -> Callable[[logging.LogRecord], logging.LogRecord]:
    """A filter that keeps a record to its one line: Django logs every refused Host or over-long query (a 400,
    the client's doing) with a whole traceback, which lets anyone flood the log."""

    def one_line(record: logging.LogRecord) -> logging.LogRecord:
        record.exc_info = None
        record.exc_text = None
        return record

    return one_line
