"""The manifests run the processes of cluster/processes.py: the same commands, every variable
the code reads for each, values that agree, and probes on routes that exist."""

import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from fastapi import FastAPI

from api.core.config import Settings
from api.notifications.worker import mail_settings
from cluster import processes
from cluster.stores import SECRET_NAMES
from cluster.topology import API_PYTHON, BOT_PYTHON, LOCAL, ROOT, Counts, Stores, Topology
from tests.deploy import manifests as m
from tests.deploy.code_env import env_read_by, placeholders_in

# The manifest container that runs each process kind of the topology.
RUNS = {
    "api": [("api", "api"), ("workbench", "workbench")],
    "notifications": [("notifications", "notifications")],
    "training": [("workbench", "training")],
    "events": [("events", "events")],
    "retention": [("retention", "retention")],
    "rasa": [("rasa", "rasa")],
    "actions": [("actions", "actions")],
}
# Read by the code with a default that suits the cluster.
OPTIONAL = {
    "ACTION_TIMEOUT_SECONDS": "bot/resilience.py: 20 s by default",
    "SANIC_HOST": "actions/server.py: the command gives --host",
    "LOG_LEVEL": "actions/server.py: INFO by default",
}
# Read by uvicorn or Python, not by the API's settings.
NOT_SETTINGS = {"PYTHONPATH", "HOME", "WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS"}


def local_topology() -> Topology:
    stores = Stores("127.0.0.1", "app", "tracker", "127.0.0.1", "127.0.0.1")
    secret_values = {name: f"<{name}>" for name in SECRET_NAMES}
    topology = Topology(
        Path("/state"), Counts(rasa=1, actions=1, api=1), (LOCAL,), "127.0.0.1",
        stores, secret_values, demo=False,
    )  # fmt: skip
    return processes.with_processes(topology, Path("/state/nginx.conf"))


def normalised(command: list[str]) -> list[str]:
    """A command as the pods run it: `python` on PATH, files relative to /app, any address."""
    names = {f"<{name}>": f"$({name})" for name in SECRET_NAMES}
    out: list[str] = []
    for index, part in enumerate(command):
        previous = command[index - 1] if index else ""
        if part in (str(API_PYTHON), str(BOT_PYTHON)):
            part = "python"
        elif previous in ("--host", "--interface"):
            part = "0.0.0.0"  # noqa: S104 - as written in the manifests
        elif previous == "--port":
            part = "<port>"
        elif previous == "--forwarded-allow-ips":
            part = "$(FORWARDED_ALLOW_IPS)"
        elif part.startswith(f"{ROOT}/"):
            part = part.removeprefix(f"{ROOT}/")
        out.append(names.get(part, part))
    return out


def pod_command(entry: m.Object) -> tuple[list[str], int | None]:
    """The container's command with its --port taken out, and that port."""
    command = m.command(entry)
    port = int(command[command.index("--port") + 1]) if "--port" in command else None
    return normalised(command), port


@pytest.mark.parametrize("kind", sorted(RUNS))
def test_each_process_runs_the_topologys_command(kind: str) -> None:
    process = local_topology().of_kind(kind)[0]
    for deployment, name in RUNS[kind]:
        entry = m.container(m.named("Deployment", deployment), name)
        command, port = pod_command(entry)
        assert command == normalised(process.full_command), f"{deployment}/{name}"
        if port is not None:
            assert port in {p["containerPort"] for p in entry["ports"]}


@pytest.mark.parametrize("kind", sorted(RUNS))
def test_each_process_gets_the_topologys_variables(kind: str) -> None:
    process = local_topology().of_kind(kind)[0]
    machine = ("127.0.0.1", "/state", str(ROOT), "<", "localhost", "rasa-1")
    # `make cluster` sends emails to its local sink; a deployment names its own mail server.
    deployment_specific = {"SMTP_HOST", "SMTP_PORT", "SMTP_TLS"}
    for deployment, name in RUNS[kind]:
        entry = m.container(m.named("Deployment", deployment), name)
        env = m.environment(m.rendered(), entry)
        missing = set(process.env) - set(env)
        assert not missing, f"{deployment}/{name} lacks {sorted(missing)}"
        for key, value in process.env.items():
            literal = env[key].source in ("value", "configmap")
            if key in deployment_specific:
                continue
            if literal and value and not any(part in value for part in machine):
                assert env[key].value == value, f"{deployment}/{name}: {key}"


@pytest.mark.parametrize(
    ("kind", "folders", "files"),
    [
        ("rasa", ["bot", "contract"], ["deploy/endpoints.cluster.yml", "credentials.yml"]),
        ("actions", ["actions", "contract"], []),
    ],
)
def test_every_variable_the_assistants_code_reads_is_set(
    kind: str, folders: list[str], files: list[str]
) -> None:
    read = env_read_by([ROOT / f for f in folders]) | placeholders_in([ROOT / f for f in files])
    assert read, "the scan found nothing: it is broken"
    ((deployment, name),) = RUNS[kind]
    env = m.environment(m.rendered(), m.container(m.named("Deployment", deployment), name))
    assert read - set(env) - set(OPTIONAL) == set()


def test_internal_addresses_name_the_clusters_services() -> None:
    services = {s["metadata"]["name"]: s for s in m.of_kind("Service")}
    rasa = m.environment(m.rendered(), m.container(m.named("Deployment", "rasa"), "rasa"))
    actions = m.environment(m.rendered(), m.container(m.named("Deployment", "actions"), "actions"))
    expected = {  # variable: (its value, the Service, the path the topology uses)
        "ACTION_SERVER_URL": (rasa, "actions", "/webhook"),
        "MODEL_SERVER_URL": (rasa, "front-internal", "/internal/model"),
        "API_URL": (actions, "front-internal", ""),
    }
    for variable, (env, service, path) in expected.items():
        url = urlsplit(str(env[variable].value))
        assert url.hostname == service, variable
        assert url.port in {p["port"] for p in services[service]["spec"]["ports"]}, variable
        assert url.path == path, variable
    assert rasa["RASA_REPLICA_NAME"] == m.Env("field", None, "metadata.name")
    assert rasa["SQL_POOL_SIZE"].value and rasa["SQL_MAX_OVERFLOW"].value
    api = m.config_map("api-settings")
    assert api["EVENT_QUEUE"] == m.config_map("rasa-settings")["EVENT_QUEUE"]


def filled(env: dict[str, m.Env]) -> dict[str, str]:
    """The environment with each placeholder replaced by a value of its own."""
    values = {}
    for key, item in env.items():
        value = item.value or ""
        while m.PLACEHOLDER in value:
            value = value.replace(m.PLACEHOLDER, secrets.token_urlsafe(36), 1)
        values[key] = value
    return values


def test_the_api_settings_are_valid_outside_demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    for field in Settings.model_fields:
        monkeypatch.delenv(field.upper(), raising=False)
    entry = m.container(m.named("Deployment", "api"), "api")
    env = filled(m.environment(m.rendered(), entry))
    unknown = set(env) - {f.upper() for f in Settings.model_fields} - NOT_SETTINGS
    assert not unknown, f"not a setting: {sorted(unknown)}"
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = Settings(_env_file=None)
    assert settings.demo is False and settings.model_distribution == "pull"
    assert settings.cookie_secure is True
    mail_settings(settings)  # what the notification worker refuses to start without


def test_probes_point_at_real_routes(app: FastAPI) -> None:
    paths = {getattr(route, "path", None) for route in app.routes}
    probes = {
        ("api", "api"): "/healthz",
        ("workbench", "workbench"): "/healthz",
        ("rasa", "rasa"): "/webhooks/rest/",
        ("actions", "actions"): "/health",
    }
    for (deployment, name), path in probes.items():
        entry = m.container(m.named("Deployment", deployment), name)
        ports = {p["name"]: p["containerPort"] for p in entry["ports"]}
        assert entry["readinessProbe"]["httpGet"]["path"] == path
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            if probe in entry:
                assert entry[probe]["httpGet"]["port"] in ports, (deployment, probe)
    assert "/healthz" in paths
    rasa = m.container(m.named("Deployment", "rasa"), "rasa")
    assert rasa["livenessProbe"]["httpGet"]["path"] == "/"  # Rasa's own root (below)
    # Our REST channel (Rasa mounts it under /webhooks/<name>/) answers GET / when ready.
    rest = (ROOT / "bot" / "channels" / "rest.py").read_text(encoding="utf-8")
    assert 'return "rest"' in rest and '@webhook.route("/", methods=["GET"])' in rest
    channels = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    assert "bot.channels.rest.SecureRestInput" in channels
    server = (ROOT / "actions" / "server.py").read_text(encoding="utf-8")
    assert '@app.get("/health")' in server
    assert re.search(r'OPEN_PATHS = frozenset\(\{"/health"\}\)', server)


def test_rasas_root_route_exists_when_its_environment_is_here() -> None:
    found = list((ROOT / ".venv-bot" / "lib").glob("python3.10/site-packages/rasa/server.py"))
    if not found:
        pytest.skip("the assistant's environment (.venv-bot) is not installed here")
    assert '@app.get("/")' in found[0].read_text(encoding="utf-8")


def test_the_api_image_waits_for_the_migrated_schema() -> None:
    migrate = m.container(m.named("Job", "migrate"), "migrate")
    assert m.command(migrate) == ["python", "-m", "api.core.migrate"]
    for workload in m.workloads():
        images = {c["image"].rsplit(":", 1)[0].rsplit("/", 1)[-1] for c in m.containers(workload)}
        if workload["metadata"]["name"] == "migrate" or not images & {"api", "training"}:
            continue
        first = m.pod_spec(workload)["initContainers"][0]
        assert m.command(first)[:4] == ["python", "-m", "api.core.migrate", "--wait"]
