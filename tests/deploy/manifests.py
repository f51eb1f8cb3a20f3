"""The Kubernetes objects of deploy/kubernetes as `kubectl kustomize` renders them, and what a
container of them gets: its environment (ConfigMaps, the Secrets' template, the downward API)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"
SECRETS_TEMPLATE = KUBERNETES / "secrets.template.yaml"
DOCKERFILE = ROOT / "deploy" / "docker" / "Dockerfile"
PLACEHOLDER = "CHANGE_ME"

Object = dict[str, Any]


def kubectl() -> str:
    found = shutil.which("kubectl")
    if found is None:
        raise RuntimeError("kubectl manque : il rend deploy/kubernetes (kubectl kustomize).")
    return found


def render(folder: Path = KUBERNETES) -> list[Object]:
    """`kubectl kustomize` of a folder (offline: it reads files only)."""
    done = subprocess.run(
        [kubectl(), "kustomize", str(folder)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise AssertionError(f"kubectl kustomize {folder} failed:\n{done.stderr}")
    return [document for document in yaml.safe_load_all(done.stdout) if document]


@cache
def rendered() -> tuple[Object, ...]:
    return tuple(render())


@cache
def secret_templates() -> dict[str, dict[str, str]]:
    """Each Secret of the template by name: its keys and placeholder values."""
    documents = yaml.safe_load_all(SECRETS_TEMPLATE.read_text(encoding="utf-8"))
    return {d["metadata"]["name"]: dict(d["stringData"]) for d in documents if d}


def of_kind(kind: str, objects: tuple[Object, ...] | None = None) -> list[Object]:
    return [o for o in (objects or rendered()) if o["kind"] == kind]


def named(kind: str, name: str, objects: tuple[Object, ...] | None = None) -> Object:
    for found in of_kind(kind, objects):
        if found["metadata"]["name"] == name:
            return found
    raise KeyError(f"{kind}/{name}")


def pod_spec(workload: Object) -> Object:
    spec: Object = workload["spec"]["template"]["spec"]
    return spec


def workloads(objects: tuple[Object, ...] | None = None) -> list[Object]:
    return of_kind("Deployment", objects) + of_kind("Job", objects)


def containers(workload: Object, *, init: bool = True) -> list[Object]:
    spec = pod_spec(workload)
    return [*(spec.get("initContainers", []) if init else []), *spec["containers"]]


def container(workload: Object, name: str) -> Object:
    for found in containers(workload):
        if found["name"] == name:
            return found
    raise KeyError(f"{workload['metadata']['name']}/{name}")


def component(workload: Object) -> str:
    labels = workload["spec"]["template"]["metadata"]["labels"]
    return str(labels["app.kubernetes.io/component"])


def config_map(name: str, objects: tuple[Object, ...] | None = None) -> dict[str, str]:
    """A generated ConfigMap's data, by the name a pod uses (kustomize adds a hash suffix)."""
    for found in of_kind("ConfigMap", objects):
        if re.fullmatch(rf"{re.escape(name)}(-[a-z0-9]{{10}})?", found["metadata"]["name"]):
            return dict(found.get("data", {}))
    raise KeyError(f"ConfigMap/{name}")


@dataclass(frozen=True)
class Env:
    """Where one environment variable of a container comes from."""

    source: str  # value, configmap, secret, field
    value: str | None = None  # the literal or ConfigMap value; the Secret's template value
    ref: str = ""  # secret name/key, or the field path


def environment(objects: tuple[Object, ...], entry: Object) -> dict[str, Env]:
    """The variables a container starts with, later entries overriding earlier ones."""
    env: dict[str, Env] = {}
    secrets = secret_templates()
    for source in entry.get("envFrom", []):
        if "configMapRef" in source:
            data = config_map(source["configMapRef"]["name"], objects)
            env.update({k: Env("configmap", v) for k, v in data.items()})
        else:
            name = source["secretRef"]["name"]
            env.update({k: Env("secret", v, f"{name}/{k}") for k, v in secrets[name].items()})
    for item in entry.get("env", []):
        if "value" in item:
            env[item["name"]] = Env("value", item["value"])
        elif "secretKeyRef" in item["valueFrom"]:
            ref = item["valueFrom"]["secretKeyRef"]
            value = secrets.get(ref["name"], {}).get(ref["key"])
            env[item["name"]] = Env("secret", value, f"{ref['name']}/{ref['key']}")
        elif "configMapKeyRef" in item["valueFrom"]:
            ref = item["valueFrom"]["configMapKeyRef"]
            env[item["name"]] = Env("configmap", config_map(ref["name"], objects).get(ref["key"]))
        else:
            env[item["name"]] = Env("field", None, item["valueFrom"]["fieldRef"]["fieldPath"])
    return env


def secret_refs(objects: tuple[Object, ...]) -> set[tuple[str, str]]:
    """Every (Secret, key) a pod of the topology reads."""
    secrets = secret_templates()
    refs: set[tuple[str, str]] = set()
    for workload in workloads(objects):
        for entry in containers(workload):
            for source in entry.get("envFrom", []):
                if "secretRef" in source:
                    name = source["secretRef"]["name"]
                    refs.update((name, key) for key in secrets.get(name, {"<missing>": ""}))
            for item in entry.get("env", []):
                ref = item.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    refs.add((ref["name"], ref["key"]))
    return refs


def command(entry: Object) -> list[str]:
    """The container's command as written ($(VAR) is expanded by the kubelet)."""
    return [str(part) for part in entry.get("command", []) + entry.get("args", [])]
