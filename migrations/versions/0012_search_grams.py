"""search: the SQL engine's inverted index (search_grams), one row per token of each product's
search_documents row, so a query reads the products holding its tokens instead of scanning
every row; backfilled here from the rows already written

Revision ID: 0012_search_grams
Revises: 0011_storefront_cards
Create Date: 2026-12-02 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012_search_grams"
down_revision = "0011_storefront_cards"
branch_labels = None
depends_on = None

COLUMNS = (
    "product_id",
    "title",
    "brand",
    "body",
    "description",
    "title_pinyin",
    "pinyin",
    "title_initials",
    "initials",
    "quantities",
)
CHUNK = 500


def upgrade():
    op.create_table(
        "search_grams",
        sa.Column(
            "gram",
            sa.String(64).with_variant(sa.String(64, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_search_grams_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("gram", "product_id", name=op.f("pk_search_grams")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_search_grams_product_id", "search_grams", ["product_id"])
    # The tokens of the rows already written, cut by the application's own tokenizer (the
    # one `flask search reindex` and every sync use), so the index agrees with the queries.
    from search.grams import document_grams

    conn = op.get_bind()
    table = sa.table("search_grams", sa.column("gram"), sa.column("product_id"))
    rows = conn.execute(
        sa.text(f"SELECT {', '.join(COLUMNS)} FROM search_documents ORDER BY product_id")
    ).mappings()
    batch = []
    for row in rows:
        batch += [{"gram": g, "product_id": row["product_id"]} for g in document_grams(row)]
        if len(batch) >= CHUNK * 200:
            conn.execute(table.insert(), batch)
            batch = []
    if batch:
        conn.execute(table.insert(), batch)


def downgrade():
    op.drop_index("ix_search_grams_product_id", table_name="search_grams")
    op.drop_table("search_grams")
