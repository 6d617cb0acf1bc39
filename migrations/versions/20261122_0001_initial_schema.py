"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column(
            "level",
            sa.Enum("PROVINCE", "CITY", "COUNTY", name="agencylevel", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "family",
            sa.Enum(
                "DISCIPLINE",
                "COURT",
                "HR",
                "FINANCE",
                "OTHER",
                name="agencyfamily",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint("uscc", name=op.f("uq_agencies_uscc")),
    )
    op.create_table(
        "organizations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        sa.UniqueConstraint("uscc", name=op.f("uq_organizations_uscc")),
    )
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organizations_region_code"), ["region_code"], unique=False
        )

    op.create_table(
        "clients",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("secret_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_clients_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients")),
    )
    op.create_table(
        "persons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("id_cipher", sa.LargeBinary(), nullable=False),
        sa.Column("id_masked", sa.String(length=18), nullable=False),
        sa.Column("name_hash", sa.String(length=64), nullable=False),
        sa.Column("name_cipher", sa.LargeBinary(), nullable=False),
        sa.Column("name_masked", sa.String(length=64), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("employer_agency_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["employer_agency_id"],
            ["agencies.id"],
            name=op.f("fk_persons_employer_agency_id_agencies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
        sa.UniqueConstraint("id_hash", name=op.f("uq_persons_id_hash")),
        sa.UniqueConstraint("uid", name=op.f("uq_persons_uid")),
    )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_persons_name_hash"), ["name_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_persons_region_code"), ["region_code"], unique=False)

    op.create_table(
        "checks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column(
            "purpose",
            sa.Enum(
                "HIRING",
                "TRANSFER",
                "AWARD",
                "APPRAISAL",
                "PROCUREMENT",
                name="purpose",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column(
            "subject_type",
            sa.Enum("PERSON", "ORGANIZATION", name="subjecttype", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column(
            "verdict",
            sa.Enum("CLEAR", "REVIEW", "RESTRICTED", name="verdict", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("ruleset_version", sa.String(length=32), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_checks_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_checks_client_id_clients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checks")),
    )
    with op.batch_alter_table("checks", schema=None) as batch_op:
        batch_op.create_index("ix_checks_subject", ["subject_key", "checked_at"], unique=False)

    op.create_table(
        "credit_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_agency_id", sa.Integer(), nullable=False),
        sa.Column("stream", sa.String(length=64), nullable=False),
        sa.Column("source_ref", sa.String(length=128), nullable=False),
        sa.Column(
            "subject_type",
            sa.Enum("PERSON", "ORGANIZATION", name="subjecttype", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column(
            "category",
            sa.Enum(
                "GOVERNMENT_SANCTION",
                "PARTY_DISCIPLINE",
                "ACCOUNTABILITY",
                "CRIMINAL_PUNISHMENT",
                "JUDGMENT_DEFAULTER",
                "COURT_JUDGMENT",
                "ADMINISTRATIVE_PENALTY",
                "EXAM_MISCONDUCT",
                "APPRAISAL_RESULT",
                "DISMISSAL",
                "PROCUREMENT_BREACH",
                "PAYMENT_ARREARS",
                "PPP_DEFAULT",
                "PROMISE_BROKEN",
                "STATISTICS_FRAUD",
                "INVESTIGATION_OPEN",
                name="recordcategory",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "sanction_kind",
            sa.Enum(
                "WARNING",
                "DEMERIT",
                "MAJOR_DEMERIT",
                "DEMOTION",
                "REMOVAL",
                "EXPULSION",
                "PARTY_WARNING",
                "PARTY_SERIOUS_WARNING",
                "PARTY_POST_REMOVAL",
                "PARTY_PROBATION_1Y",
                "PARTY_PROBATION_2Y",
                "PARTY_EXPULSION",
                "ADMONISHMENT",
                "POST_ADJUSTMENT",
                "ORDERED_RESIGNATION",
                "REMOVAL_FROM_POST",
                "POST_DEMOTION",
                "BAN_5Y",
                "BAN_LIFE",
                name="sanctionkind",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "severity",
            sa.Enum("MINOR", "GENERAL", "SERIOUS", name="severity", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("decided_at", sa.Date(), nullable=False),
        sa.Column("effective_until", sa.Date(), nullable=True),
        sa.Column("legal_basis", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "ACTIVE",
                "UNDER_OBJECTION",
                "CORRECTED",
                "REVOKED",
                "REPAIRED",
                "EXPIRED",
                name="recordstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_credit_records_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_credit_records_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["source_agency_id"],
            ["agencies.id"],
            name=op.f("fk_credit_records_source_agency_id_agencies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_records")),
        sa.UniqueConstraint(
            "source_agency_id",
            "stream",
            "source_ref",
            name=op.f("uq_credit_records_source_agency_id_stream_source_ref"),
        ),
    )
    with op.batch_alter_table("credit_records", schema=None) as batch_op:
        batch_op.create_index(
            "ix_credit_records_organization", ["organization_id", "decided_at"], unique=False
        )
        batch_op.create_index("ix_credit_records_person", ["person_id", "decided_at"], unique=False)

    op.create_table(
        "record_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "ACTIVE",
                "UNDER_OBJECTION",
                "CORRECTED",
                "REVOKED",
                "REPAIRED",
                "EXPIRED",
                name="recordstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["credit_records.id"],
            name=op.f("fk_record_events_record_id_credit_records"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_events")),
    )
    with op.batch_alter_table("record_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_events_record_id"), ["record_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("record_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_events_record_id"))

    op.drop_table("record_events")
    with op.batch_alter_table("credit_records", schema=None) as batch_op:
        batch_op.drop_index("ix_credit_records_person")
        batch_op.drop_index("ix_credit_records_organization")

    op.drop_table("credit_records")
    with op.batch_alter_table("checks", schema=None) as batch_op:
        batch_op.drop_index("ix_checks_subject")

    op.drop_table("checks")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_persons_region_code"))
        batch_op.drop_index(batch_op.f("ix_persons_name_hash"))

    op.drop_table("persons")
    op.drop_table("clients")
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organizations_region_code"))

    op.drop_table("organizations")
    op.drop_table("agencies")
