"""The assistant's action server: the report form, filing and follow-up (rasa-sdk)."""
