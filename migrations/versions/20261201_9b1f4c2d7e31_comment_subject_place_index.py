"""comment: a covering index for counting a subject's comments by place

Revision ID: 9b1f4c2d7e31
Revises: 652bd7908c73
Create Date: 2026-12-01 14:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "9b1f4c2d7e31"
down_revision: str | None = "652bd7908c73"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_comment_subject_place",
            ["subject_kind", "subject_id", "place_code", "stance", "article", "author_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_index("ix_comment_subject_place")
