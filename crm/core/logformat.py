"""How the console log (``LOGGING`` in the settings) shows a record."""

from __future__ import annotations

import logging


class OneLineClientErrors(logging.Formatter):
    """A 4xx answer is the client's business (a page it may not see, one that does not exist):
    Django logs it as a warning with the exception that made it (PermissionDenied, Http404), and
    its traceback filled the server console at every ordinary 403 or 404. Show the one line
    ("Forbidden (Permission denied): /settings/grades/") without the traceback; a 5xx and
    every other record keep theirs. The record itself is left alone for other handlers."""

    def format(self, record: logging.LogRecord) -> str:
        status = getattr(record, "status_code", None)
        if record.exc_info and isinstance(status, int) and 400 <= status < 500:
            record = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None})
        return super().format(record)
