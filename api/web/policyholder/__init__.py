"""The policyholder's account site under /compte: payments, reports, the assistant's widget."""
