"""What every benchmark shares: figures from samples, the machine's counters, the API server,
the bench databases and bulk writes.

`measures` and `machine` use the standard library only, so that the bot environment's benches
(Python 3.10, no `api`) import them too; the other modules need the API environment.
"""
