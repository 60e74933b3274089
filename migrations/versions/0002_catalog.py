"""catalog: snapshot of a product's reviewable content on each listing review event

The review page compares a product's current content with the snapshot taken when it was last
approved (fields, variants, images). ``listing_reviews.event`` also gains the value
``withdrawn``; it is a non-native enum without a CHECK constraint (length 26), so that needs no
DDL.

Revision ID: 0002_catalog
Revises: 0001
Create Date: 2026-11-23 14:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0002_catalog"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("listing_reviews", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "snapshot",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )


def downgrade():
    op.execute("UPDATE listing_reviews SET event = 'rejected' WHERE event = 'withdrawn'")
    with op.batch_alter_table("listing_reviews", schema=None) as batch_op:
        batch_op.drop_column("snapshot")
