"""storefront: the listings' read model, one card row per product (storefront_cards) with what
listings filter, sort and facet on, kept in the transaction of each change; backfilled here

Revision ID: 0011_storefront_cards
Revises: 0010_storefront_listed_order
Create Date: 2026-12-02 06:30:00

"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0011_storefront_cards"
down_revision = "0010_storefront_listed_order"
branch_labels = None
depends_on = None

VISIBLE = {"sqlite_where": sa.text("visible = 1"), "postgresql_where": sa.text("visible")}
INDEXES = {  # partial (visible rows), each covering what its pages read
    "ix_storefront_cards_listed": ["listed_order", "product_id", "supplier_id", "visible"],
    "ix_storefront_cards_season": [
        "season_group",
        "all_year",
        "listed_order",
        "product_id",
        "brand_id",
        "category_id",
        "sale_months_mask",
        "presale_months_mask",
        "visible",
    ],
    "ix_storefront_cards_category": [
        "category_id",
        "listed_order",
        "product_id",
        "brand_id",
        "brand_from",
        "brand_to",
        "brand_periods",
        "supplier_id",
        "county_code",
        "storage_class",
        "sale_months_mask",
        "presale_months_mask",
        "visible",
    ],
    "ix_storefront_cards_category_price": ["category_id", "min_price_fen", "product_id", "visible"],
    "ix_storefront_cards_brand": [
        "brand_id",
        "listed_order",
        "product_id",
        "brand_from",
        "brand_to",
        "brand_periods",
        "supplier_id",
        "min_price_fen",
        "visible",
    ],
}

# The months mask of a JSON list of months: bit 1 << m for each month m (1–12).
MASK = {
    "postgresql": "(SELECT coalesce(sum(DISTINCT 1 << (m.value::int)), 0) FROM "
    "jsonb_array_elements_text(coalesce(p.{col}, '[]'::jsonb)) AS m(value) "
    "WHERE m.value ~ '^[0-9]+$' AND m.value::int BETWEEN 1 AND 12)",
    "sqlite": "(SELECT coalesce(sum(DISTINCT 1 << value), 0) FROM json_each(coalesce(p.{col}, '[]')) "
    "WHERE value BETWEEN 1 AND 12)",
}

BACKFILL = """
INSERT INTO storefront_cards (
    product_id, supplier_id, category_id, brand_id, brand_from, brand_to, brand_periods,
    county_code, storage_class, min_price_fen, listed_order, sale_months_mask,
    presale_months_mask, all_year, season_group, is_listed, supplier_can_sell,
    has_active_variant, visible
)
SELECT p.id, p.supplier_id, p.category_id, p.brand_id,
    (SELECT min(a.valid_from) FROM brand_authorisations a
     WHERE a.supplier_id = p.supplier_id AND a.brand_id = p.brand_id AND a.revoked_at IS NULL),
    (SELECT max(a.valid_to) FROM brand_authorisations a
     WHERE a.supplier_id = p.supplier_id AND a.brand_id = p.brand_id AND a.revoked_at IS NULL),
    (SELECT count(*) FROM brand_authorisations a
     WHERE a.supplier_id = p.supplier_id AND a.brand_id = p.brand_id AND a.revoked_at IS NULL),
    substr(p.origin_region_code, 1, 6),
    p.storage_class,
    (SELECT min(v.price_fen) FROM variants v WHERE v.product_id = p.id AND v.is_active),
    coalesce(p.listed_at, p.created_at),
    {sale},
    {presale},
    {sale} = 8190,
    coalesce(p.brand_id, -p.category_id),
    p.status = 'listed',
    EXISTS (SELECT 1 FROM suppliers s WHERE s.id = p.supplier_id AND s.status = 'verified'),
    EXISTS (SELECT 1 FROM variants v WHERE v.product_id = p.id AND v.is_active),
    p.status = 'listed'
    AND EXISTS (SELECT 1 FROM suppliers s WHERE s.id = p.supplier_id AND s.status = 'verified')
    AND EXISTS (SELECT 1 FROM variants v WHERE v.product_id = p.id AND v.is_active)
FROM products p
"""


def upgrade():
    op.create_table(
        "storefront_cards",
        sa.Column("product_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=True),
        sa.Column("brand_from", sa.Date(), nullable=True),
        sa.Column("brand_to", sa.Date(), nullable=True),
        sa.Column("brand_periods", sa.SmallInteger(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column(
            "storage_class",
            sa.Enum(
                "ambient", "chilled", "frozen", name="storageclass", native_enum=False, length=15
            ),
            nullable=False,
        ),
        sa.Column("min_price_fen", sa.Integer(), nullable=True),
        sa.Column("listed_order", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sale_months_mask", sa.Integer(), nullable=False),
        sa.Column("presale_months_mask", sa.Integer(), nullable=False),
        sa.Column("all_year", sa.Boolean(), nullable=False),
        sa.Column("season_group", sa.Integer(), nullable=False),
        sa.Column("is_listed", sa.Boolean(), nullable=False),
        sa.Column("supplier_can_sell", sa.Boolean(), nullable=False),
        sa.Column("has_active_variant", sa.Boolean(), nullable=False),
        sa.Column("visible", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_storefront_cards_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_storefront_cards")),
    )
    for name, columns in INDEXES.items():
        op.create_index(name, "storefront_cards", columns, unique=False, **VISIBLE)
    dialect = op.get_bind().dialect.name
    mask = MASK["postgresql" if dialect == "postgresql" else "sqlite"]
    op.execute(
        BACKFILL.format(
            sale=mask.format(col="sale_months"), presale=mask.format(col="presale_months")
        )
    )


def downgrade():
    for name in INDEXES:
        op.drop_index(name, table_name="storefront_cards")
    op.drop_table("storefront_cards")
