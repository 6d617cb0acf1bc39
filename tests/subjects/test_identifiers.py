"""The two national identifiers (shared/RULES.md §9): 统一社会信用代码 and 居民身份证号码.

The property tests build codes with their own check-character arithmetic, written from the
standards rather than borrowed from the module under test.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.errors import InvalidIdentifier
from hub.subjects.identifiers import (
    mask_id_number,
    mask_name,
    parse_id_number,
    parse_uscc,
)

TODAY = date(2026, 11, 22)

# GB 32100-2015
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
DIGITS = "0123456789"

# GB 11643-1999, ISO 7064 MOD 11-2
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def uscc_check(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def id_check(first17: str) -> str:
    return ID_CHECK[sum(int(ch) * w for ch, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def uscc_allowed_at(position: int) -> str:
    return DIGITS if 2 <= position <= 7 else USCC_ALPHABET


def id_allowed_at(position: int) -> str:
    return DIGITS + "X" if position == 17 else DIGITS


def with_id_check(first17: str) -> str:
    return first17 + id_check(first17)


# --- 统一社会信用代码 -------------------------------------------------------------------


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91440300708461136T"])
def test_uscc_known_valid_codes_parse_without_warning(code):
    parsed = parse_uscc(code)
    assert parsed.code == code
    assert parsed.warning is None


def test_uscc_region_code_is_characters_3_to_8():
    assert parse_uscc("91350100M000100Y43").region_code == "350100"


def test_uscc_legacy_pilot_code_failing_the_check_is_accepted_with_a_warning():
    parsed = parse_uscc("91350100M0001TGQXM")
    assert parsed.code == "91350100M0001TGQXM"
    assert parsed.warning


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("", id="empty"),
        pytest.param("91350100M000100Y4", id="17-characters"),
        pytest.param("91350100M000100Y43X", id="19-characters"),
    ],
)
def test_uscc_of_the_wrong_length_is_rejected(raw):
    with pytest.raises(InvalidIdentifier) as caught:
        parse_uscc(raw, field="supplier.uscc")
    assert caught.value.field == "supplier.uscc"


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
@pytest.mark.parametrize("position", [0, 8, 16, 17], ids=lambda p: f"position-{p + 1}")
def test_uscc_with_a_letter_outside_the_alphabet_is_rejected(letter, position):
    code = "91350100M000100Y43"
    raw = code[:position] + letter + code[position + 1 :]
    with pytest.raises(InvalidIdentifier) as caught:
        parse_uscc(raw, field="agency.uscc")
    assert caught.value.field == "agency.uscc"


def test_uscc_with_a_letter_in_the_region_code_is_rejected():
    with pytest.raises(InvalidIdentifier):
        parse_uscc("9135A100M000100Y43")


# --- 居民身份证号码 ---------------------------------------------------------------------


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014"])
def test_id_number_known_valid_numbers_parse(number):
    assert parse_id_number(number, today=TODAY).number == number


def test_id_number_exposes_area_and_birth_date():
    parsed = parse_id_number("11010519491231002X", today=TODAY)
    assert parsed.region_code == "110105"
    assert parsed.birth_date == date(1949, 12, 31)


def test_id_number_lower_case_x_is_normalised_to_upper_case():
    assert parse_id_number("11010519491231002x", today=TODAY).number == "11010519491231002X"


@pytest.mark.parametrize(
    "birth",
    [
        pytest.param("19491331", id="month-13"),
        pytest.param("19490230", id="february-30"),
        pytest.param("19490001", id="month-0"),
        pytest.param("19490100", id="day-0"),
        pytest.param("19490431", id="april-31"),
        pytest.param("19010229", id="february-29-in-a-common-year"),
    ],
)
def test_id_number_with_an_impossible_birth_date_is_rejected(birth):
    number = with_id_check("110105" + birth + "002")
    with pytest.raises(InvalidIdentifier) as caught:
        parse_id_number(number, field="person.idNumber", today=TODAY)
    assert caught.value.field == "person.idNumber"


def test_id_number_born_on_february_29_of_a_leap_year_is_valid():
    number = with_id_check("110105" + "20000229" + "002")
    assert parse_id_number(number, today=TODAY).birth_date == date(2000, 2, 29)


def test_id_number_with_a_birth_date_after_today_is_rejected():
    number = with_id_check("110105" + "20261123" + "002")
    with pytest.raises(InvalidIdentifier) as caught:
        parse_id_number(number, field="applicant.idNumber", today=TODAY)
    assert caught.value.field == "applicant.idNumber"


def test_id_number_born_today_is_valid():
    number = with_id_check("110105" + "20261122" + "002")
    assert parse_id_number(number, today=TODAY).birth_date == TODAY


def test_id_number_with_a_birth_date_in_the_future_is_rejected_against_the_real_clock():
    number = with_id_check("110105" + "29990101" + "002")
    with pytest.raises(InvalidIdentifier):
        parse_id_number(number)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("", id="empty"),
        pytest.param("11010519491231002", id="17-characters"),
        pytest.param("11010519491231002X1", id="19-characters"),
        pytest.param("110105194912310X2X", id="X-before-the-check-position"),
        pytest.param("11010519491231002Y", id="check-letter-other-than-X"),
        pytest.param("11010519491231002I", id="check-letter-I"),
    ],
)
def test_id_number_of_the_wrong_shape_is_rejected(raw):
    with pytest.raises(InvalidIdentifier) as caught:
        parse_id_number(raw, field="person.idNumber", today=TODAY)
    assert caught.value.field == "person.idNumber"


def test_id_number_with_a_wrong_check_character_is_rejected():
    with pytest.raises(InvalidIdentifier) as caught:
        parse_id_number("110105194912310021", field="person.idNumber", today=TODAY)
    assert caught.value.field == "person.idNumber"


# --- masking ---------------------------------------------------------------------------


def test_id_number_mask_keeps_area_code_and_last_four():
    assert mask_id_number("11010119900307123X") == "110101********123X"


def test_parsed_id_number_is_masked_the_same_way():
    assert parse_id_number("440524188001010014", today=TODAY).masked == "440524********0014"


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        pytest.param("张三", "张*", id="two-characters"),
        pytest.param("张三丰", "张**", id="three-characters"),
        pytest.param(" 李四 ", "李*", id="surrounding-spaces"),
    ],
)
def test_name_mask_keeps_only_the_first_character(name, masked):
    assert mask_name(name) == masked


# --- properties ------------------------------------------------------------------------


@st.composite
def valid_usccs(draw) -> str:
    first17 = "".join(draw(st.sampled_from(uscc_allowed_at(i))) for i in range(17))
    return first17 + uscc_check(first17)


@st.composite
def valid_id_numbers(draw) -> str:
    area = draw(st.text(DIGITS, min_size=6, max_size=6))
    birth = draw(st.dates(date(1900, 1, 1), date(2020, 12, 31)))
    sequence = draw(st.text(DIGITS, min_size=3, max_size=3))
    return with_id_check(area + birth.strftime("%Y%m%d") + sequence)


@st.composite
def one_character_changed(draw, codes, allowed_at) -> str:
    """A valid code with one position changed to another character allowed there."""
    code = draw(codes)
    position = draw(st.integers(0, len(code) - 1))
    replacement = draw(st.sampled_from(allowed_at(position)).filter(lambda c: c != code[position]))
    return code[:position] + replacement + code[position + 1 :]


@settings(max_examples=300, database=None)
@given(valid_usccs())
def test_every_generated_uscc_parses_cleanly(code):
    parsed = parse_uscc(code)
    assert parsed.code == code
    assert parsed.warning is None


@settings(max_examples=300, database=None)
@given(one_character_changed(valid_usccs(), uscc_allowed_at))
def test_a_uscc_with_one_character_changed_is_never_accepted_cleanly(changed):
    try:
        parsed = parse_uscc(changed)
    except InvalidIdentifier:
        return
    assert parsed.warning is not None


@settings(max_examples=300, database=None)
@given(valid_id_numbers())
def test_every_generated_id_number_parses(number):
    assert parse_id_number(number, today=TODAY).number == number


@settings(max_examples=300, database=None)
@given(one_character_changed(valid_id_numbers(), id_allowed_at))
def test_an_id_number_with_one_character_changed_is_rejected(changed):
    with pytest.raises(InvalidIdentifier):
        parse_id_number(changed, today=TODAY)


# --- as typed: full width, spaces; messages for API clients and for officers ---------------


def test_full_width_digits_and_letters_read_as_the_number_meant():
    typed = "１１０１０５１９４９１２３１００２ｘ"  # a Chinese input method, a lower-case x
    assert parse_id_number(typed).number == "11010519491231002X"
    assert parse_uscc("９１３５０１００Ｍ０００１００Ｙ４３").code == "91350100M000100Y43"
    assert parse_id_number("110105 19491231 002X").number == "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "zh"),
    [
        ("1101051949123100", "应为17位数字加1位数字或X"),
        ("110105194902300021", "出生日期19490230不存在"),
        ("110105194912310021", "校验位不符"),
    ],
)
def test_an_id_number_error_has_one_message_per_audience(raw, zh):
    with pytest.raises(InvalidIdentifier) as raised:
        parse_id_number(raw, field="身份证号码")
    error = raised.value
    assert zh in error.for_officers
    assert error.message.isascii()  # API clients and operators read English
    assert all(not ("\u4e00" <= ch <= "\u9fff") for ch in error.message)
