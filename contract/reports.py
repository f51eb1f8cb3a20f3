"""What a report may hold, as both sides check it: the assistant before it calls the API (so a
person is asked to shorten their text in the conversation), the API when it stores it."""

from __future__ import annotations

# The longest description (and complement) a policyholder may write, in characters.
DESCRIPTION_MAX = 2000
