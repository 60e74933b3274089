"""Contact fields are cleaned one way everywhere (``yipin.contact``): a mainland mobile number
typed with +86 / 0086, spaces or dashes is stored as its 11 digits, a landline as area code,
dash, number; what is neither is refused with one message."""

from __future__ import annotations

import pytest

from yipin import contact


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13907971234", "13907971234"),
        ("+86 139 0797 1234", "13907971234"),
        ("+86-139-0797-1234", "13907971234"),
        ("0086 13907971234", "13907971234"),
        (" 139-0797-1234 ", "13907971234"),
        ("(+86) 139.0797.1234", "13907971234"),
    ],
)
def test_a_mobile_number_is_stored_as_its_eleven_digits(typed, stored):
    assert contact.mobile_number(typed) == stored
    assert contact.phone_number(typed) == stored
    assert contact.clean_mobile(typed) == stored


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0797-8123456", "0797-8123456"),
        ("07978123456", "0797-8123456"),
        ("(0797) 812 3456", "0797-8123456"),
        ("010-12345678", "010-12345678"),
        ("01012345678", "010-12345678"),  # Beijing: a three-digit area code
        ("020 8765 4321", "020-87654321"),
    ],
)
def test_a_landline_keeps_its_area_code_before_a_dash(typed, stored):
    assert contact.phone_number(typed) == stored
    assert contact.mobile_number(typed) is None


@pytest.mark.parametrize(
    "typed", ["", "12345", "12907971234", "139079712345", "+1 415 555 0100", "0797-123", "abc"]
)
def test_what_is_no_phone_number_is_refused_with_the_contact_message(typed):
    assert contact.phone_number(typed) is None
    with pytest.raises(contact.InvalidPhone) as refused:
        contact.clean_phone(typed, field="contact_phone")
    assert refused.value.field == "contact_phone" and "11" in refused.value.text()


def test_an_email_address_is_trimmed_and_lower_cased():
    assert contact.email_address("  Sales@Example.COM ") == "sales@example.com"
    assert contact.email_address("not-an-address") is None
    assert contact.email_address("a@b.c" + "x" * 260) is None
