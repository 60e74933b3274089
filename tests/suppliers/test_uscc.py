"""统一社会信用代码 (GB 32100-2015): good codes pass, bad ones are refused with the exact reason,
in the parser, the CLI, the apply form and the API, and a refused application creates nothing."""

from __future__ import annotations

import pytest

from suppliers import uscc
from suppliers.actions import check_uscc
from suppliers.errors import InvalidUSCC
from suppliers.models import Supplier, SupplierKind
from tests.suppliers.conftest import application, count
from yipin.accounts.models import User
from yipin.media.models import Image

GOOD = [
    "91350100M000100Y43",  # an enterprise registered in 福州
    "12100000400000374H",  # a public institution (事业单位)
    uscc.make("93360734MA35XYW12"),  # a cooperative of 寻乌县
    uscc.make("92360781MA3ABCDE1"),  # an individual business of 瑞金
    uscc.make("N1360730MF1234567"),  # a rural collective of 宁都
]
BAD = [
    ("91350100M000100Y44", "check_character"),  # last character changed
    ("91350100M000100Y4", "length"),  # 17 characters
    ("91350100M000100Y431", "length"),  # 19 characters
    ("", "length"),
    ("91350100M0001I0Y43", "characters"),  # I is never used
    ("91350100M0001O0Y43", "characters"),  # nor O
    ("91350100M0001S0Y43", "characters"),  # nor S
    ("91350100M0001V0Y43", "characters"),  # nor V
    ("91350100M0001Z0Y43", "characters"),  # nor Z
    ("99350100M000100Y43", "entity_type"),  # 市场监管 issues only 91, 92, 93
    ("B1350100M000100Y43", "entity_type"),  # no registering authority B
    ("91ABCDEFM000100Y43", "division"),  # the division must be digits
]


@pytest.mark.parametrize("code", GOOD)
def test_real_shaped_codes_are_accepted(code):
    parsed = uscc.parse(code)
    assert parsed.code == code
    assert uscc.parse(code.lower()).code == code  # typed in lower case
    assert uscc.parse(f" {code[:6]} {code[6:]} ").code == code  # with spaces


def test_the_parts_of_a_code():
    parsed = uscc.parse("91350100M000100Y43")
    assert (parsed.authority, parsed.entity_type, parsed.entity_name) == ("9", "91", "企业")
    assert parsed.division_code == "350100"
    assert not parsed.is_government_or_institution
    assert uscc.parse("12100000400000374H").is_government_or_institution


@pytest.mark.parametrize(("code", "reason"), BAD)
def test_bad_codes_are_refused_with_the_reason(code, reason):
    with pytest.raises(uscc.USCCError) as caught:
        uscc.parse(code)
    assert caught.value.reason == reason


def test_every_single_character_typo_is_caught():
    code = "91350100M000100Y43"
    for i in range(17):
        for ch in uscc.CHARSET:
            if ch != code[i]:
                typo = code[:i] + ch + code[i + 1 :]
                assert not uscc.is_valid(typo), typo


@pytest.mark.parametrize(
    ("code", "reason", "zh", "en"),
    [
        ("91350100M000100Y4", "length", "应为 18 位，您输入了 17 位", "has 17"),
        ("91350100M0001I0Y43", "characters", "出现了 I", "contains I"),
        ("99350100M000100Y43", "entity_type", "以 99 开头", "starts with 99"),
        ("91350100M000100Y44", "check_character", "校验码", "check character"),
    ],
)
def test_the_reason_is_given_in_both_languages(app, code, reason, zh, en):
    with pytest.raises(InvalidUSCC) as caught:
        check_uscc(code)
    error = caught.value
    assert error.reason == reason and error.code == f"invalid_uscc_{reason}"
    assert error.field == "uscc"
    assert zh in error.texts()["zh_CN"]
    assert en in error.texts()["en"]


def test_the_code_must_fit_the_kind_of_supplier(app):
    check_uscc("91350100M000100Y43", SupplierKind.ENTERPRISE)
    check_uscc(uscc.make("93360734MA35XYW12"), SupplierKind.COOPERATIVE)
    check_uscc(uscc.make("92360781MA3ABCDE1"), SupplierKind.FAMILY_FARM)
    with pytest.raises(InvalidUSCC) as caught:
        check_uscc("12100000400000374H", SupplierKind.ENTERPRISE)
    assert caught.value.reason == "kind_mismatch"
    assert "事业单位" in caught.value.texts()["zh_CN"]
    with pytest.raises(InvalidUSCC):
        check_uscc("91350100M000100Y43", SupplierKind.COOPERATIVE)


# ----------------------------------------------------------------------------- form and API


FORM_CASES = [
    ("91350100M000100Y44", "校验码"),
    ("91350100M000100Y4", "您输入了 17 位"),
    ("91350100M0001I0Y43", "I、O、S、V、Z"),
    ("91350100M0001Z0Y43", "出现了 Z"),
    ("99350100M000100Y43", "以 99 开头"),
]


@pytest.mark.usefixtures("reference")
@pytest.mark.parametrize(("code", "message"), FORM_CASES)
def test_the_apply_form_refuses_a_bad_code_and_says_why(client, code, message):
    response = client.submit(
        "/supplier/apply",
        application(uscc=code, kind="enterprise"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(Supplier) == 0 and count(User) == 0 and count(Image) == 0


@pytest.mark.usefixtures("reference")
def test_the_apply_form_accepts_a_good_enterprise_code(client):
    response = client.submit(
        "/supplier/apply",
        application(uscc="91350100M000100Y43", kind="enterprise", name="福州测试农业有限公司"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert count(Supplier) == 1


@pytest.mark.usefixtures("reference")
@pytest.mark.parametrize(("code", "reason"), BAD[:10])
def test_the_api_refuses_a_bad_code_with_the_reason(client, code, reason):
    response = client.post(
        "/api/v1/suppliers/applications",
        data=application(uscc=code, kind="enterprise"),
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == f"invalid_uscc_{reason}"
    assert body["errors"]["uscc"]
    assert body["messages"]["zh_CN"] and body["messages"]["en"] != body["messages"]["zh_CN"]
    assert count(Supplier) == 0 and count(User) == 0 and count(Image) == 0


def test_flask_suppliers_check_uscc(app):
    runner = app.test_cli_runner()
    good = runner.invoke(args=["suppliers", "check-uscc", "91350100M000100Y43"])
    assert good.exit_code == 0
    assert "valid: 91350100M000100Y43" in good.output and "91 企业" in good.output
    bad = runner.invoke(args=["suppliers", "check-uscc", "91350100M000100Y44"])
    assert bad.exit_code == 1
    assert "check_character" in bad.output and "校验码" in bad.output
    assert "check character for the first 17: 3" in bad.output
    short = runner.invoke(args=["suppliers", "check-uscc", "91350100M000100Y4"])
    assert short.exit_code == 1 and "17" in short.output
