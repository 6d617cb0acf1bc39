"""The domain vocabularies, exposed as GraphQL enums under their domain names."""

from __future__ import annotations

import strawberry

from hub.agencies.models import AgencyFamily, AgencyLevel
from hub.checks.purposes import Outcome, Purpose, Verdict
from hub.records.enums import RecordCategory, RecordStatus, SanctionKind, Severity, SubjectType

RecordCategoryEnum = strawberry.enum(RecordCategory, name="RecordCategory")
SanctionKindEnum = strawberry.enum(SanctionKind, name="SanctionKind")
SeverityEnum = strawberry.enum(Severity, name="Severity")
RecordStatusEnum = strawberry.enum(RecordStatus, name="RecordStatus")
SubjectTypeEnum = strawberry.enum(SubjectType, name="SubjectType")
PurposeEnum = strawberry.enum(Purpose, name="Purpose")
VerdictEnum = strawberry.enum(Verdict, name="Verdict")
OutcomeEnum = strawberry.enum(Outcome, name="Outcome")
AgencyLevelEnum = strawberry.enum(AgencyLevel, name="AgencyLevel")
AgencyFamilyEnum = strawberry.enum(AgencyFamily, name="AgencyFamily")
