"""A logging filter that masks ID numbers and mobile numbers in every log line (issue 3 §2, LAW-PIPL).

Values reach logs in ways no reviewer sees coming: a database error's DETAIL ("Key (...)=(...) already
exists"), a traceback's exception text, a request path. The filter sits on every handler, so whatever is
formatted, the clear values never reach a file or a log collector.
"""

from __future__ import annotations

import logging

from gongzhi.people.masking import mask_text


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_text(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        return True
