import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.people import idcard


def test_known_valid_number():
    info = idcard.parse("11010519491231002X")
    assert info.birth_date == dt.date(1949, 12, 31)
    assert info.gender == "F"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("1101051949123100", "length"),
        ("11010519491231002A", "characters"),
        ("110105194913310021", "birth_date"),
        ("110105194912310021", "checksum"),
    ],
)
def test_invalid_numbers(raw, reason):
    with pytest.raises(idcard.IdNumberError) as exc:
        idcard.parse(raw)
    assert exc.value.reason == reason


def test_future_birth_date_rejected():
    with pytest.raises(idcard.IdNumberError):
        idcard.parse(idcard.make("330102", dt.date(2030, 1, 1), 1), today=dt.date(2026, 1, 1))


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)), st.integers(0, 999))
def test_make_then_parse_round_trips(birth, seq):
    number = idcard.make("330502", birth, seq)
    info = idcard.parse(number.lower())
    assert info.birth_date == birth
    assert info.gender == ("M" if seq % 2 else "F")


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)),
    st.integers(0, 999),
    st.integers(0, 16),
)
def test_any_single_digit_change_is_caught(birth, seq, pos):
    number = idcard.make("330502", birth, seq)
    changed = number[:pos] + str((int(number[pos]) + 1) % 10) + number[pos + 1 :]
    with pytest.raises(idcard.IdNumberError):
        idcard.parse(changed)
