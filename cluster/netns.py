"""Hosts of their own for the replicas: network namespaces on a private bridge.

Each namespace stands for a machine with its own address, loopback and ports, joined to this
one by a veth pair on a bridge; this machine is the bridge's first address, where nginx listens
for the replicas and forwards the stores. Only addresses of a private test range are used, and
everything is removed afterwards (`remove`), so traffic never leaves the machine.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

from cluster.topology import Host

SUBNET_BASE = "10.213"


@dataclass(frozen=True)
class Network:
    tag: str  # unique per topology: a short number
    hosts: tuple[Host, ...]

    @property
    def bridge(self) -> str:
        return f"vgb{self.tag}"

    @property
    def gateway(self) -> str:
        return f"{SUBNET_BASE}.{self.tag}.1"


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    command = ["ip", *args]
    return subprocess.run(command, check=check, capture_output=True, text=True)  # noqa: S603


def _in_use(tag: str) -> bool:
    addresses = _ip("-4", "addr", "show").stdout
    links = _ip("link", "show").stdout
    return f"{SUBNET_BASE}.{tag}." in addresses or f"vgb{tag}" in links


def plan(tag: int, count: int) -> Network:
    hosts = tuple(
        Host(f"hôte-{k}", f"{SUBNET_BASE}.{tag}.{10 + k}", namespace=f"vg{tag}h{k}")
        for k in range(1, count + 1)
    )
    return Network(str(tag), hosts)


def create(network: Network) -> None:
    """The bridge with this machine's address, then one namespace per host."""
    if _in_use(network.tag):
        raise RuntimeError(f"le réseau {SUBNET_BASE}.{network.tag}.0/24 est déjà utilisé")
    _ip("link", "add", network.bridge, "type", "bridge")
    _ip("addr", "add", f"{network.gateway}/24", "dev", network.bridge)
    _ip("link", "set", network.bridge, "up")
    for index, host in enumerate(network.hosts, start=1):
        assert host.namespace is not None
        outside, inside = f"vg{network.tag}o{index}", f"vg{network.tag}i{index}"
        _ip("netns", "add", host.namespace)
        _ip("link", "add", outside, "type", "veth", "peer", "name", inside)
        _ip("link", "set", inside, "netns", host.namespace)
        _ip("link", "set", outside, "master", network.bridge)
        _ip("link", "set", outside, "up")
        namespace = ("netns", "exec", host.namespace, "ip")
        _ip(*namespace, "addr", "add", f"{host.address}/24", "dev", inside)
        _ip(*namespace, "link", "set", inside, "up")
        _ip(*namespace, "link", "set", "lo", "up")
        _ip(*namespace, "route", "add", "default", "via", network.gateway)


def remove(network: Network) -> None:
    """Everything `create` made, whatever state it is in."""
    for index, host in enumerate(network.hosts, start=1):
        if host.namespace:
            _ip("netns", "delete", host.namespace, check=False)
        _ip("link", "delete", f"vg{network.tag}o{index}", check=False)
    _ip("link", "delete", network.bridge, check=False)


def free_tag(start: int = 100) -> int:
    for tag in range(start, 250):
        if not _in_use(str(tag)):
            return tag
    raise RuntimeError("aucun réseau de test libre")
