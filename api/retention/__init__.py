"""Retention of personal data (issue 14): reports erased after REPORT_RETENTION_DAYS,
conversations deleted after CONVERSATION_RETENTION_DAYS, settled emails after
NOTIFICATION_RETENTION_DAYS; one run at a time, capped, audited (`python -m api.retention`)."""
