"""Every table of the service, imported in one place for Alembic and the tests."""

from api.accounts.models import AuthSession, Policyholder, SecurityEvent, SigninThrottle, StaffUser
from api.claims.models import Claim, Provider
from api.core.db import Base
from api.events.models import ConversationEvent  # the event stream (issue 13)
from api.notifications.models import Notification
from api.reports.models import Report, ReportEvent
from api.retention.models import RetentionLease, RetentionRun
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
    "AuthSession",
    "Claim",
    "ConversationEvent",
    "ModelArtifact",
    "ModelArtifactChunk",
    "ModelReplica",
    "ModelServing",
    "Notification",
    "Policyholder",
    "Provider",
    "Report",
    "ReportEvent",
    "RetentionLease",
    "RetentionRun",
    "SecurityEvent",
    "SigninThrottle",
    "StaffUser",
    "TrainingDecision",
    "TrainingEvent",
    "TrainingModel",
    "TrainingRun",
    "metadata",
]
