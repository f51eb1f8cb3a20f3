"""What a report may hold, as both sides check it: the assistant before it calls the API (so a
person is asked to shorten their text in the conversation), the API when it stores it."""

from __future__ import annotations

# The longest description (and complement) a policyholder may write, in characters.
DESCRIPTION_MAX = 2000

# The assistant's slots that hold a report in progress (domain.yml): the action server clears
# them when a report is filed, cancelled or abandoned; the Rasa server reads them to know that a
# conversation is at rest (bot/sessions.py).
REPORT_SLOTS = (
    "care_date",
    "provider",
    "claim_choice",
    "claim_candidates",
    "act_description",
    "anomaly_type",
    "correction_field",
    "correction_pending",
    "report_confirmed",
    "report_key",
    "report_pending",
    "complement_for",
    "care_date_lookup",
)
