"""deploy/kubernetes, rendered by kustomize and checked offline: the Kubernetes API's schemas,
the restricted pod profile, replicas and budgets, who may reach whom, and no secret committed."""

import re

import kubernetes_validate
import pytest
import yaml
from kubernetes_validate import utils as kv_utils

from tests.deploy import manifests as m

# Every version whose schemas kubernetes-validate ships, from the oldest one still in use.
OLDEST = (1, 29)
VERSIONS = sorted(
    {v for v in kv_utils.all_versions() if tuple(int(x) for x in v.split(".")[:2]) >= OLDEST},
    key=lambda v: tuple(int(x) for x in v.split(".")),
)
SECRET_NAME = re.compile(r"(KEY|TOKEN|PASSWORD|SECRET)")
PASSWORD_IN_URL = re.compile(r"://[^/@\s:]*:[^/@\s]+@")
PROJECT_IMAGES = {"vigilance-api", "vigilance-assistant", "vigilance-training"}
REPLICAS = {
    "front": 2,
    "api": 2,
    "rasa": 2,
    "actions": 2,
    "notifications": 2,
    "events": 2,
    "retention": 1,
    "workbench": 1,
}


def everything() -> list[m.Object]:
    templates = yaml.safe_load_all(m.SECRETS_TEMPLATE.read_text(encoding="utf-8"))
    return [*m.rendered(), *(t for t in templates if t)]


@pytest.mark.parametrize("version", VERSIONS)
def test_every_object_matches_the_kubernetes_schemas(version: str) -> None:
    assert VERSIONS, "kubernetes-validate ships no schema"
    for document in everything():
        try:
            kubernetes_validate.validate(document, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            name = f"{document['kind']}/{document['metadata']['name']}"
            pytest.fail(f"{name} ({version}): {error.message} at {list(error.path)}")


def test_the_topology_is_complete() -> None:
    kinds = {(o["kind"], o["metadata"]["name"]) for o in m.rendered()}
    deployments = {name for kind, name in kinds if kind == "Deployment"}
    assert deployments == set(REPLICAS)
    assert {("Job", "migrate"), ("Job", "publish-model"), ("Namespace", "vigilance")} <= kinds
    # The stores are the platform's (settings): no StatefulSet, no Secret in the render.
    assert not {kind for kind, _ in kinds} & {"StatefulSet", "Secret"}


def test_replicas_and_rollouts() -> None:
    for deployment in m.of_kind("Deployment"):
        name = deployment["metadata"]["name"]
        spec = deployment["spec"]
        assert spec["replicas"] == REPLICAS[name], name
        assert spec["selector"]["matchLabels"] == {"app.kubernetes.io/component": name}
        if spec["replicas"] > 1:
            assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0, name
    # One pod holds the workbench's ReadWriteOnce volume: the old one stops first.
    workbench = m.named("Deployment", "workbench")
    assert workbench["spec"]["strategy"]["type"] == "Recreate"
    claim = m.named("PersistentVolumeClaim", "workbench")
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]


def test_disruption_budgets_keep_one_pod_of_each_replicated_deployment() -> None:
    budgets = {
        b["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"]: b["spec"]
        for b in m.of_kind("PodDisruptionBudget")
    }
    replicated = {name for name, count in REPLICAS.items() if count > 1}
    assert set(budgets) == replicated
    for name in replicated:
        assert 0 < budgets[name]["minAvailable"] < REPLICAS[name]


def test_every_pod_meets_the_restricted_profile_and_has_resources() -> None:
    for workload in m.workloads():
        spec, name = m.pod_spec(workload), workload["metadata"]["name"]
        assert spec["automountServiceAccountToken"] is False, name
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] > 0, name
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        for entry in m.containers(workload):
            where = f"{name}/{entry['name']}"
            context = entry["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["readOnlyRootFilesystem"] is True, where
            assert context["capabilities"] == {"drop": ["ALL"]}, where
            for bound in ("requests", "limits"):
                assert set(entry["resources"][bound]) == {"cpu", "memory"}, where


def test_images_are_the_projects_or_pinned() -> None:
    namespace = yaml.safe_load((m.KUBERNETES / "kustomization.yaml").read_text())
    renamed = {i["newName"]: i["name"] for i in namespace["images"]}
    for workload in m.workloads():
        for entry in m.containers(workload):
            name, _, tag = entry["image"].partition(":")
            assert re.fullmatch(r"\d+\.\d+\.\d+(-[a-z0-9]+)?", tag), entry["image"]
            assert renamed.get(name, name) in PROJECT_IMAGES | {"nginx"}, entry["image"]


def test_services_select_pods_and_name_their_ports() -> None:
    pods = {m.component(w): w for w in m.of_kind("Deployment")}
    for service in m.of_kind("Service"):
        target = pods[service["spec"]["selector"]["app.kubernetes.io/component"]]
        ports = {p["name"] for c in m.containers(target, init=False) for p in c.get("ports", [])}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in ports, service["metadata"]["name"]


def allowed_sources(component: str, port: int) -> set[str] | None:
    """Components whose pods may open `port` on `component`'s pods (None: anyone)."""
    sources: set[str] = set()
    for policy in m.of_kind("NetworkPolicy"):
        selector = policy["spec"]["podSelector"]
        if not selects(selector, component):
            continue
        for rule in policy["spec"].get("ingress", []):
            if port not in {p["port"] for p in rule.get("ports", [{"port": port}])}:
                continue
            if "from" not in rule:
                return None
            for peer in rule["from"]:
                sources.update(c for c in REPLICAS if selects(peer["podSelector"], c))
    return sources


def selects(selector: m.Object, component: str) -> bool:
    key = "app.kubernetes.io/component"
    for expression in selector.get("matchExpressions", []):
        assert expression["key"] == key and expression["operator"] == "In"
        if component not in expression["values"]:
            return False
    wanted = selector.get("matchLabels", {}).get(key)
    return wanted is None or wanted == component


def test_network_policies_let_each_pod_be_reached_by_its_callers_only() -> None:
    deny = m.named("NetworkPolicy", "default-deny-ingress")["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress"]}
    expected: dict[tuple[str, int], set[str] | None] = {
        ("front", 8080): None,
        ("front", 8090): {"rasa", "actions"},
        ("api", 8000): {"front"},
        ("workbench", 8000): {"front"},
        # The channels and Rasa's HTTP API share this port: only the front routes to it.
        ("rasa", 5005): {"front"},
        ("actions", 5055): {"rasa"},
    }
    for (component, port), sources in expected.items():
        assert allowed_sources(component, port) == sources, (component, port)
    for component in ("notifications", "events", "retention", "migrate", "publish-model"):
        for port in (8000, 5005, 5055, 8080):
            assert allowed_sources(component, port) == set(), component


def test_the_secrets_template_holds_placeholders_only() -> None:
    for secret, values in m.secret_templates().items():
        for key, value in values.items():
            if SECRET_NAME.search(key) or key.endswith("_URL"):
                assert m.PLACEHOLDER in value, f"{secret}/{key} holds a value"
    # Each key of the template is read by some pod, each key a pod reads is in the template.
    templated = {(s, k) for s, values in m.secret_templates().items() for k in values}
    assert m.secret_refs(m.rendered()) == templated


def test_no_secret_is_written_in_a_manifest() -> None:
    for workload in m.workloads():
        for entry in m.containers(workload):
            for item in entry.get("env", []):
                where = f"{workload['metadata']['name']}/{entry['name']}: {item['name']}"
                if "value" in item:
                    assert not SECRET_NAME.search(item["name"]), where
                    assert not PASSWORD_IN_URL.search(item["value"]), where
    for config in m.of_kind("ConfigMap"):
        for key, value in config.get("data", {}).items():
            assert not SECRET_NAME.search(key), key
            assert not PASSWORD_IN_URL.search(value), key
