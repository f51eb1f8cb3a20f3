"""Every table of the service, imported in one place for Alembic and the tests."""

from api.accounts.models import Policyholder, StaffUser
from api.claims.models import Claim, Provider
from api.core.db import Base
from api.notifications.models import Notification
from api.reports.models import Report, ReportEvent
from api.training.models import (
    ModelArtifact,
    ModelArtifactChunk,
    ModelReplica,
    ModelServing,
    TrainingDecision,
    TrainingEvent,
    TrainingModel,
    TrainingRun,
)

metadata = Base.metadata

__all__ = [
    "Claim",
    "ModelArtifact",
    "ModelArtifactChunk",
    "ModelReplica",
    "ModelServing",
    "Notification",
    "Policyholder",
    "Provider",
    "Report",
    "ReportEvent",
    "StaffUser",
    "TrainingDecision",
    "TrainingEvent",
    "TrainingModel",
    "TrainingRun",
    "metadata",
]
