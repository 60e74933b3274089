"""The demo's platform accounts: the operator, two bureau accounts (the city and one county)
and five consumers. Supplier owners and staff are seeded by the suppliers domain."""

from __future__ import annotations

from yipin.accounts.models import Role, User
from yipin.accounts.passwords import hash_password
from yipin.seed.context import DEMO_PASSWORD, Login, SeedContext

OPERATOR_LOGIN = "13900000001"  # also marks a database that holds the demo already


def seed(ctx: SeedContext) -> None:
    password = hash_password(DEMO_PASSWORD)

    def user(phone: str, name: str, role: Role, **kw: object) -> None:
        ctx.session.add(
            User(phone=phone, password_hash=password, display_name=name, role=role, **kw)
        )

    user(OPERATOR_LOGIN, "王敏", Role.OPERATOR)
    user("13900000002", "赣州市商务局 统计科", Role.BUREAU, bureau_region_code="3607")
    user("13900000003", "寻乌县农业农村局", Role.BUREAU, bureau_region_code="360734")
    for i, name in enumerate(["陈晓", "林嘉怡", "王浩然", "赵雨桐", "孙立伟"]):
        user(f"139000000{10 + i}", name, Role.CONSUMER)
    ctx.session.flush()


def demo_logins() -> list[Login]:
    return [
        Login("operator", OPERATOR_LOGIN, "赣南优品运营 王敏"),
        Login("bureau", "13900000002", "赣州市商务局 统计科", "(全市, read-only)"),
        Login("bureau", "13900000003", "寻乌县农业农村局", "(寻乌县, read-only)"),
        Login("consumer", "13900000010", "消费者 陈晓", "(also 13900000011–14)"),
    ]
