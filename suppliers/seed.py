"""Demo suppliers: two in each of Ganzhou's 18 county-level units, of every kind, with their
owners and staff (the platform's operator, bureau and consumer accounts are the core's)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import sqlalchemy as sa

from catalog.models import RegionalBrand
from suppliers import uscc
from suppliers.models import (
    BrandAuthorisation,
    Supplier,
    SupplierKind,
    SupplierStatus,
    SupplierStatusChange,
)
from yipin import clock
from yipin.accounts.models import Role, SupplierRole, User
from yipin.accounts.passwords import hash_password
from yipin.regions.models import Region, RegionLevel
from yipin.seed.context import DEMO_PASSWORD, Login, SeedContext
from yipin.seed.places import Places, at

C, F, E = SupplierKind.COOPERATIVE, SupplierKind.FAMILY_FARM, SupplierKind.ENTERPRISE
# (county code, name, kind, 龙头企业, founded year, brand slugs it grows or makes, contact)
SUPPLIERS: list[tuple[str, str, SupplierKind, bool, int, list[str], str]] = [
    (
        "360702",
        "赣州橙乡农业发展有限公司",
        E,
        True,
        2012,
        ["gannan-navel-orange", "gannan-rice-noodles"],
        "钟国华",
    ),
    ("360702", "章贡区水东蔬菜专业合作社", C, False, 2016, ["gannan-selenium-rice"], "刘秀英"),
    ("360703", "南康区十八塘甜柚专业合作社", C, False, 2013, ["nankang-pomelo"], "赖永福"),
    (
        "360703",
        "赣州市南康区旭日家庭农场",
        F,
        False,
        2019,
        ["nankang-pomelo", "gannan-selenium-rice"],
        "曾旭日",
    ),
    ("360704", "赣县区大埠脐橙专业合作社", C, False, 2011, ["gannan-navel-orange"], "谢春生"),
    ("360704", "赣州客家米粉食品有限公司", E, False, 2015, ["gannan-rice-noodles"], "黄丽萍"),
    ("360722", "信丰县安西脐橙专业合作社", C, False, 2010, ["gannan-navel-orange"], "邱建国"),
    (
        "360722",
        "江西信丰绿源农业开发有限公司",
        E,
        True,
        2008,
        ["gannan-navel-orange", "gannan-camellia-oil"],
        "罗志强",
    ),
    ("360723", "大余县南安板鸭食品有限公司", E, True, 2006, ["nanan-salted-duck"], "何文斌"),
    ("360723", "大余县青龙家庭农场", F, False, 2020, ["gannan-selenium-rice"], "李青龙"),
    ("360724", "上犹县梅水园村茶叶专业合作社", C, False, 2014, ["shangyou-green-tea"], "陈美玲"),
    ("360724", "江西上犹犹江绿月茶业有限公司", E, True, 2009, ["shangyou-green-tea"], "蔡明辉"),
    ("360725", "崇义县君子谷果业专业合作社", C, False, 2015, ["gannan-navel-orange"], "朱立新"),
    (
        "360725",
        "崇义县阳岭家庭农场",
        F,
        False,
        2021,
        ["shangyou-green-tea", "gannan-camellia-oil"],
        "郭阳",
    ),
    ("360726", "安远县三百山脐橙专业合作社", C, False, 2012, ["gannan-navel-orange"], "唐桂香"),
    ("360726", "安远县鹤子米粉有限公司", E, False, 2017, ["gannan-rice-noodles"], "欧阳平"),
    ("360728", "定南县岭北家庭农场", F, False, 2018, ["gannan-navel-orange"], "叶小军"),
    ("360728", "定南县客家油茶专业合作社", C, False, 2013, ["gannan-camellia-oil"], "廖远山"),
    ("360729", "全南县雅溪蜂业专业合作社", C, False, 2016, ["gannan-camellia-oil"], "温志红"),
    ("360729", "全南县兆坑家庭农场", F, False, 2022, ["gannan-selenium-rice"], "徐兆坑"),
    ("360730", "宁都县黄鸡养殖专业合作社", C, False, 2011, ["ningdu-yellow-chicken"], "彭德胜"),
    ("360730", "江西宁都富硒农业有限公司", E, True, 2014, ["gannan-selenium-rice"], "肖建平"),
    ("360731", "于都县梓山富硒蔬菜专业合作社", C, False, 2017, ["gannan-selenium-rice"], "管金兰"),
    ("360731", "于都县银坑油茶家庭农场", F, False, 2019, ["gannan-camellia-oil"], "丁银生"),
    ("360732", "兴国县灰鹅养殖专业合作社", C, False, 2012, ["xingguo-grey-goose"], "李长冈"),
    ("360732", "兴国县长冈油茶开发有限公司", E, False, 2010, ["gannan-camellia-oil"], "张红梅"),
    ("360733", "会昌县小密家庭农场", F, False, 2020, ["gannan-navel-orange"], "曾小密"),
    ("360733", "会昌县筠门岭脐橙专业合作社", C, False, 2013, ["gannan-navel-orange"], "钟兰英"),
    (
        "360734",
        "寻乌县晨光脐橙专业合作社",
        C,
        False,
        2009,
        ["gannan-navel-orange", "xunwu-mandarin"],
        "刘建华",
    ),
    (
        "360734",
        "江西寻乌天源果业有限公司",
        E,
        True,
        2007,
        ["gannan-navel-orange", "xunwu-mandarin"],
        "古天源",
    ),
    ("360735", "石城县通芯白莲专业合作社", C, False, 2012, ["shicheng-white-lotus"], "温莲花"),
    (
        "360735",
        "石城县琴江家庭农场",
        F,
        False,
        2021,
        ["shicheng-white-lotus", "gannan-selenium-rice"],
        "熊琴",
    ),
    ("360781", "瑞金市叶坪富硒大米专业合作社", C, False, 2015, ["gannan-selenium-rice"], "杨叶坪"),
    ("360781", "瑞金市红都油茶家庭农场", F, False, 2023, ["gannan-camellia-oil"], "赖红"),
    (
        "360783",
        "龙南市客家围屋农产品有限公司",
        E,
        False,
        2016,
        ["gannan-rice-noodles", "gannan-camellia-oil"],
        "徐围屋",
    ),
    ("360783", "龙南市九连山茶叶专业合作社", C, False, 2014, ["shangyou-green-tea"], "刘九连"),
]
# A few not yet verified, so the operator's queue has work.
NOT_VERIFIED = {
    "赣州市南康区旭日家庭农场": (SupplierStatus.PENDING, None),
    "瑞金市红都油茶家庭农场": (SupplierStatus.PENDING, None),
    "全南县兆坑家庭农场": (SupplierStatus.REJECTED, "营业执照照片模糊，请重新上传清晰的原件照片。"),
    "崇义县阳岭家庭农场": (SupplierStatus.SUSPENDED, "食品生产许可证过期，补证后恢复。"),
}
SELLING = (SupplierStatus.VERIFIED, SupplierStatus.SUSPENDED)  # suspended: listed before
ENTITY = {C: "93", F: "92", E: "91"}
ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def demo_logins() -> list[Login]:
    """The supplier accounts the demo prints (the first owners stand for the rest)."""
    logins = []
    for i, row in enumerate(SUPPLIERS[:3]):
        logins.append(Login("supplier", owner_phone(i), f"{row[1]} 负责人 {row[6]}"))
    logins.append(Login("supplier", "1391000xx01", "xx = 01…36: owner of each supplier"))
    return logins


def owner_phone(index: int) -> str:
    return f"1391000{index + 1:02d}01"


def staff_phone(index: int) -> str:
    return f"1391000{index + 1:02d}02"


def seed(ctx: SeedContext) -> None:
    session = ctx.session
    password = hash_password(DEMO_PASSWORD)
    now = clock.now()

    def user(phone: str, name: str, role: Role, **kw: object) -> User:
        u = User(phone=phone, password_hash=password, display_name=name, role=role, **kw)
        session.add(u)
        return u

    operator = session.scalars(
        sa.select(User).where(User.role == Role.OPERATOR).order_by(User.id).limit(1)
    ).one()  # the core's demo operator decided the suppliers' verification

    villages = _villages_by_county(session)
    for index, row in enumerate(ctx.progress(SUPPLIERS, "suppliers")):
        county, name, kind, leading, year, focus, contact = row
        status, reason = NOT_VERIFIED.get(name, (SupplierStatus.VERIFIED, None))
        org = "MA" + "".join(ctx.rng.choice(ORG_CHARS) for _ in range(7))
        supplier = Supplier(
            name=name,
            kind=kind,
            is_leading_enterprise=leading,
            uscc=uscc.make(ENTITY[kind] + county + org),
            legal_representative=contact,
            contact_name=contact,
            contact_phone=owner_phone(index),
            region_code=ctx.rng.choice(villages[county]),
            address_detail=f"{ctx.rng.randint(1, 88)} 号",
            registered_on=date(year, ctx.rng.randint(1, 12), ctx.rng.randint(1, 28)),
            introduction=f"{name}位于{_county_name(session, county)}，"
            + "坚持绿色种植，产地直发，品质可追溯。",
            status=status,
            status_reason=reason,
            verified_at=now - timedelta(days=ctx.rng.randint(30, 900))
            if status != SupplierStatus.PENDING
            else None,
        )
        session.add(supplier)
        session.flush()
        session.add(
            SupplierStatusChange(
                supplier_id=supplier.id, from_status=None, to_status=SupplierStatus.PENDING
            )
        )
        if status != SupplierStatus.PENDING:
            session.add(
                SupplierStatusChange(
                    supplier_id=supplier.id,
                    from_status=SupplierStatus.PENDING,
                    to_status=status,
                    reason=reason,
                    actor_id=operator.id,
                    at=supplier.verified_at or now,
                )
            )
        user(
            owner_phone(index),
            contact,
            Role.SUPPLIER,
            supplier_id=supplier.id,
            supplier_role=SupplierRole.OWNER,
        )
        if index % 2 == 0:
            user(
                staff_phone(index),
                f"{name[:2]}员工",
                Role.SUPPLIER,
                supplier_id=supplier.id,
                supplier_role=SupplierRole.STAFF,
            )
        ctx.focus[supplier.id] = focus
    session.flush()
    authorise_brands(ctx, operator)


def authorise_brands(ctx: SeedContext, operator: User) -> None:
    """A brand authorisation (valid today) per supplier that may sell, or sold until it was
    suspended, and brand it grows whose region covers it (``ctx.focus``)."""
    rng, session = ctx.rng, ctx.session
    today = clock.today_local()
    brands = {b.slug: b for b in session.scalars(sa.select(RegionalBrand))}
    suppliers = session.scalars(
        sa.select(Supplier)
        .where(Supplier.id.in_(list(ctx.focus)), Supplier.status.in_(SELLING))
        .order_by(Supplier.id)
    )
    pairs = sorted(
        (supplier.id, brands[slug].id)
        for supplier in suppliers
        for slug in ctx.focus[supplier.id]
        if slug in brands and brands[slug].covers_region(supplier.region_code)
    )
    by_id = {b.id: b for b in brands.values()}
    serial = 0
    for supplier_id, brand_id in pairs:
        serial += 1
        brand = by_id[brand_id]
        start = date(today.year - rng.randint(0, 2), rng.choice([1, 3, 6, 9]), 1)
        if start > today:
            start = date(today.year - 1, start.month, 1)
        end = date(start.year + 3, start.month, 1) - timedelta(days=1)
        if rng.random() < 0.2:  # renewed: an expired earlier period, then the current one
            session.add(
                BrandAuthorisation(
                    brand_id=brand_id,
                    supplier_id=supplier_id,
                    certificate_number=_authorisation_number(brand, start.year - 3, serial),
                    valid_from=date(start.year - 3, start.month, 1),
                    valid_to=start - timedelta(days=1),
                    created_by_id=operator.id,
                    created_at=at(date(start.year - 3, start.month, 1)),
                )
            )
            serial += 1
        session.add(
            BrandAuthorisation(
                brand_id=brand_id,
                supplier_id=supplier_id,
                certificate_number=_authorisation_number(brand, start.year, serial),
                valid_from=start,
                valid_to=end,
                created_by_id=operator.id,
                created_at=at(start),
            )
        )
    session.flush()


def _authorisation_number(brand: RegionalBrand, year: int, serial: int) -> str:
    initials = "".join(part[0] for part in re.split(r"[\s'-]+", brand.name_en) if part).upper()
    return f"{initials or 'GZ'}-SQ-{year}-{serial:04d}"


def _villages_by_county(session: sa.orm.Session) -> dict[str, list[str]]:
    codes = session.scalars(
        sa.select(Region.code)
        .where(Region.level == RegionLevel.VILLAGE, Region.code.startswith("3607"))
        .order_by(Region.code)  # ``rng`` picks from these lists: the same order on every run
    )
    out: dict[str, list[str]] = {}
    for code in codes:
        out.setdefault(code[:6], []).append(code)
    return out


def _county_name(session: sa.orm.Session, code: str) -> str:
    region = session.get(Region, code)
    return region.name if region else code


# What products and warehouses call a supplier ("赣南脐橙 安西果园 …"); others derive one.
SHORT_NAMES = {
    "赣州橙乡农业发展有限公司": "橙乡",
    "章贡区水东蔬菜专业合作社": "水东",
    "南康区十八塘甜柚专业合作社": "十八塘",
    "赣州市南康区旭日家庭农场": "旭日",
    "赣县区大埠脐橙专业合作社": "大埠",
    "赣州客家米粉食品有限公司": "客家",
    "信丰县安西脐橙专业合作社": "安西",
    "江西信丰绿源农业开发有限公司": "绿源",
    "大余县南安板鸭食品有限公司": "大余",
    "大余县青龙家庭农场": "青龙",
    "上犹县梅水园村茶叶专业合作社": "梅水园村",
    "江西上犹犹江绿月茶业有限公司": "犹江绿月",
    "崇义县君子谷果业专业合作社": "君子谷",
    "崇义县阳岭家庭农场": "阳岭",
    "安远县三百山脐橙专业合作社": "三百山",
    "安远县鹤子米粉有限公司": "鹤子",
    "定南县岭北家庭农场": "岭北",
    "定南县客家油茶专业合作社": "定南客家",
    "全南县雅溪蜂业专业合作社": "雅溪",
    "全南县兆坑家庭农场": "兆坑",
    "宁都县黄鸡养殖专业合作社": "宁都",
    "江西宁都富硒农业有限公司": "宁都富硒",
    "于都县梓山富硒蔬菜专业合作社": "梓山",
    "于都县银坑油茶家庭农场": "银坑",
    "兴国县灰鹅养殖专业合作社": "兴国",
    "兴国县长冈油茶开发有限公司": "长冈",
    "会昌县小密家庭农场": "小密",
    "会昌县筠门岭脐橙专业合作社": "筠门岭",
    "寻乌县晨光脐橙专业合作社": "晨光",
    "江西寻乌天源果业有限公司": "天源",
    "石城县通芯白莲专业合作社": "莲乡",
    "石城县琴江家庭农场": "琴江",
    "瑞金市叶坪富硒大米专业合作社": "叶坪",
    "瑞金市红都油茶家庭农场": "红都",
    "龙南市客家围屋农产品有限公司": "围屋",
    "龙南市九连山茶叶专业合作社": "九连山",
}
SUFFIXES = r"(专业合作社|合作社|家庭农场|有限公司|农业|果业|茶业|食品|开发).*$"


def short_name(supplier: Supplier, places: Places) -> str:
    """What products call the supplier: 信丰县安西脐橙专业合作社 → 安西."""
    if supplier.name in SHORT_NAMES:
        return SHORT_NAMES[supplier.name]
    name = re.sub(r"^(江西省?|赣州市?)", "", supplier.name)
    name = name.replace(places.county_name(supplier.region_code), "")
    return re.sub(SUFFIXES, "", name)[:4]
