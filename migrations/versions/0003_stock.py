"""stock: the stock movement log (库存流水) — every set / adjust / import of an on-hand count

Revision ID: 0003_stock
Revises: 0002_catalog
Create Date: 2026-11-23 15:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0003_stock"
down_revision = "0002_catalog"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stock_movements",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("stock_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("set", "adjust", "import", name="stockmovementkind",
                                  native_enum=False, length=14, create_constraint=False),
                  nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.Column("on_hand_after", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"],
                                name=op.f("fk_stock_movements_actor_id_users")),
        sa.ForeignKeyConstraint(["stock_id"], ["stock.id"],
                                name=op.f("fk_stock_movements_stock_id_stock"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["supplier_id"], ["suppliers.id"],
                                name=op.f("fk_stock_movements_supplier_id_suppliers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movements")),
    )
    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stock_movements_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_stock_movements_stock_id"), ["stock_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_stock_movements_supplier_id"), ["supplier_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_movements_supplier_id"))
        batch_op.drop_index(batch_op.f("ix_stock_movements_stock_id"))
        batch_op.drop_index(batch_op.f("ix_stock_movements_at"))
    op.drop_table("stock_movements")
