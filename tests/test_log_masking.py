"""No clear ID number or mobile number reaches a log line (issue 3 §2), whatever carries it there."""

from __future__ import annotations

import io
import logging
import logging.config

from django.conf import settings

from gongzhi.core.logging import MaskPersonalData
from gongzhi.people.masking import mask_text

ID = "11010519491231002X"
PHONE = "13812345678"


def test_mask_text_masks_ids_and_mobiles_in_free_text():
    text = f"Key (id_number)=({ID}) already exists; phone {PHONE}; order 2026011512345678901"
    masked = mask_text(text)
    assert ID not in masked and PHONE not in masked
    assert "110105********002X" in masked and "138****5678" in masked
    assert "2026011512345678901" in masked  # a longer run of digits is not an ID number


def _configured_stream() -> tuple[logging.Logger, io.StringIO]:
    """The settings' own LOGGING, with the console handler pointed at a buffer."""
    stream = io.StringIO()
    config = {**settings.LOGGING, "handlers": {**settings.LOGGING["handlers"]}}
    config["handlers"]["console"] = {**config["handlers"]["console"], "stream": stream}
    logging.config.dictConfig(config)
    return logging.getLogger("gongzhi.anything"), stream


def test_the_configured_handler_masks_arguments_and_tracebacks():
    logger, stream = _configured_stream()
    try:
        logger.warning("registering %s with phone %s", ID, PHONE)
        try:
            raise ValueError(f"duplicate {ID}")
        except ValueError:
            logger.exception("import failed for %s", PHONE)
        django_logger = logging.getLogger("django.request")
        django_logger.error("Bad Request: /api/v1/people?search=%s", ID)
    finally:
        logging.config.dictConfig(settings.LOGGING)
    out = stream.getvalue()
    assert ID not in out and PHONE not in out
    assert out.count("110105********002X") == 3 and "138****5678" in out


def test_the_filter_keeps_records_it_cannot_mask():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "plain %d", (7,), None)
    assert MaskPersonalData().filter(record) and record.getMessage() == "plain 7"
