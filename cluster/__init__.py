"""The production topology on one machine: `make cluster`, `make cluster-status`,
`make cluster-stop` (`python -m cluster up|status|stop`, API environment).

Several Rasa replicas and action servers, several API processes, the workers and the event
consumer, nginx as the only entry point, all supervised by supervisord, on the machine's
PostgreSQL, Redis and RabbitMQ. The same launcher places the replicas in network namespaces of
their own for the cluster test (`--hosts N`), so that what crosses the network really does.
"""
