"""The front's nginx.conf for Kubernetes keeps the public routes of the cluster's template:
the same locations with the same directives, plus /trainer; nothing else reaches Rasa."""

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cluster import render
from tests.deploy import manifests as m

KUBE_CONF = m.KUBERNETES / "front" / "nginx.conf"
ENTRY_PORT = 8080
TOKEN = re.compile(r'#[^\n]*|"[^"]*"|[{};]|[^\s{};"#]+')


@dataclass
class Block:
    name: str
    args: list[str]
    children: list["Block"] = field(default_factory=list)

    def all(self, name: str) -> list["Block"]:
        return [child for child in self.children if child.name == name]

    def one(self, name: str) -> "Block":
        (found,) = self.all(name)
        return found

    def flat(self) -> list[tuple[str, ...]]:
        """Every directive below, as (name, *args), nested blocks included, in order."""
        lines: list[tuple[str, ...]] = []
        for child in self.children:
            lines.append((child.name, *child.args))
            lines.extend(child.flat())
        return lines


def parse(text: str) -> Block:
    root = Block("main", [])
    stack = [root]
    words: list[str] = []
    for token in TOKEN.findall(text):
        if token.startswith("#"):
            continue
        if token == "{":
            block = Block(words[0], words[1:])
            stack[-1].children.append(block)
            stack.append(block)
            words = []
        elif token == ";":
            stack[-1].children.append(Block(words[0], words[1:]))
            words = []
        elif token == "}":
            stack.pop()
        else:
            words.append(token)
    assert len(stack) == 1 and not words, "unbalanced nginx configuration"
    return root


def template_conf() -> str:
    """cluster/templates/nginx.conf.j2 as `make cluster` renders it."""
    return render._jinja.get_template("nginx.conf.j2").render(
        state="/state", entry_port=ENTRY_PORT, internal="10.0.0.1", internal_api_port=8090,
        internal_actions_port=8091, api=[], rasa=[], actions=[], forwards=[], own_temp=False,
    )  # fmt: skip


def servers(conf: Block) -> dict[str, Block]:
    """The http servers by the port they listen on."""
    http = conf.one("http")
    return {s.one("listen").args[0].rsplit(":", 1)[-1]: s for s in http.all("server")}


def locations(server: Block) -> dict[str, Block]:
    return {" ".join(loc.args): loc for loc in server.all("location")}


def test_the_public_routes_are_the_templates_plus_the_workbench() -> None:
    template = locations(servers(parse(template_conf()))[str(ENTRY_PORT)])
    kube = locations(servers(parse(KUBE_CONF.read_text()))[str(ENTRY_PORT)])
    assert set(kube) == set(template) | {"/trainer"}
    for path, block in template.items():
        assert kube[path].flat() == block.flat(), path
    assert kube["/trainer"].one("proxy_pass").args == ["http://workbench"]


def proxied(block: Block) -> set[str]:
    return {
        arg for directive in block.flat() if directive[0] == "proxy_pass" for arg in directive[1:]
    }


def test_only_the_channels_reach_rasa_and_internal_stays_closed() -> None:
    conf = parse(KUBE_CONF.read_text())
    to_rasa = {"http://assistant"}
    public = locations(servers(conf)[str(ENTRY_PORT)])
    reaching = {path for path, block in public.items() if proxied(block) & to_rasa}
    assert reaching == {"= /webhooks/rest/webhook", "/socket.io/"}
    assert public["/internal/"].flat() == [("return", "404")]
    socket = public["/socket.io/"].flat()
    assert ("proxy_set_header", "Upgrade", "$http_upgrade") in socket
    assert ("proxy_set_header", "Connection", "$connection_upgrade") in socket
    for port, server in servers(conf).items():
        if port != str(ENTRY_PORT):
            assert not proxied(server) & to_rasa, port


def test_upstreams_and_listeners_match_the_services() -> None:
    conf = parse(KUBE_CONF.read_text())
    services = {s["metadata"]["name"]: s for s in m.of_kind("Service")}
    for upstream in conf.one("http").all("upstream"):
        for server in upstream.all("server"):
            host, port = server.args[0].split(":")
            assert int(port) in {p["port"] for p in services[host]["spec"]["ports"]}, host
    front = m.container(m.named("Deployment", "front"), "nginx")
    ports = {p["name"]: p["containerPort"] for p in front["ports"]}
    listening = {int(port) for port in servers(conf)}
    assert set(ports.values()) == listening
    for name in ("front", "front-internal"):
        for port in services[name]["spec"]["ports"]:
            assert port["targetPort"] in ports, name
    assert ports["public"] == ENTRY_PORT and ports["internal"] == 8090
    probe = servers(conf)[str(ports["probe"])]
    assert front["readinessProbe"]["httpGet"]["path"] in {
        loc.args[-1] for loc in probe.all("location")
    }


def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    nginx = shutil.which("nginx")
    if nginx is None:
        pytest.skip("nginx is not installed here (make nginx installs Debian's)")
    text = KUBE_CONF.read_text().replace("/tmp/", f"{tmp_path}/")  # noqa: S108 - the pod's /tmp
    # Offline, the Services' names do not resolve: any address stands for them.
    text = re.sub(r"server (api|workbench|rasa):", "server 127.0.0.1:", text)
    conf = tmp_path / "nginx.conf"
    conf.write_text(text)
    done = subprocess.run(
        [nginx, "-t", "-q", "-p", str(tmp_path), "-c", str(conf)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
