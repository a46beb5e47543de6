import pytest

from gongzhi.people.masking import mask_id_number, mask_phone


def test_id_number_keeps_area_and_last_four():
    assert mask_id_number("11010519491231002X") == "110105********002X"


def test_phone_keeps_prefix_and_last_four():
    assert mask_phone("13812345678") == "138****5678"


@pytest.mark.parametrize("raw", ["", "  "])
def test_empty_stays_empty(raw):
    assert mask_id_number(raw) == ""
    assert mask_phone(raw) == ""


def test_short_values_fully_masked():
    assert mask_id_number("1234567") == "*******"
    assert mask_phone("1234567") == "*******"


def test_masked_never_contains_middle_digits():
    masked = mask_id_number("330502198001011234")
    assert "19800101" not in masked and len(masked) == 18
