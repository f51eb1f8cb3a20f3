"""deploy/docker/Dockerfile, linted and read (no Docker engine runs here: never built): hadolint,
pinned bases, the Python each environment needs, non-root users, no secret, a tight context."""

import json
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from tests.deploy import manifests as m

ROOT = m.ROOT
HADOLINT = Path(sys.executable).parent / "hadolint"
SECRET_NAME = re.compile(r"(KEY|TOKEN|PASSWORD|SECRET)", re.IGNORECASE)
TARGETS = ("api", "assistant", "training")
# Never in the build context: environments, models, run-time files, secrets, caches, tests.
PRIVATE = [
    ".venv-api/bin/python",
    ".venv-bot/bin/rasa",
    "models/vigilance.tar.gz",
    "var/app.db",
    ".git/HEAD",
    ".env",
    "api/.env",
    "api/web/static/vendor/socket.io.min.js",
    "api/__pycache__/main.cpython-311.pyc",
    "test-artifacts/widget.png",
    "tests/api/test_reports.py",
]


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", m.DOCKERFILE.read_text(encoding="utf-8"))
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


@dataclass
class Stage:
    base: str
    steps: list[tuple[str, str]] = field(default_factory=list)

    def args(self, word: str) -> list[str]:
        return [rest for instruction, rest in self.steps if instruction == word]


def stages() -> dict[str, Stage]:
    found: dict[str, Stage] = {}
    for word, rest in instructions():
        if word == "FROM":
            base, _, name = rest.partition(" AS ")
            found[name.strip()] = Stage(base.strip())
        else:
            found[list(found)[-1]].steps.append((word, rest))
    return found


def image_of(stage: str) -> str:
    """The registry image a stage finally starts from."""
    base = stages()[stage].base
    return image_of(base) if base in stages() else base


def python_minor(image: str) -> tuple[int, int]:
    match = re.fullmatch(r"python:(\d+)\.(\d+)\.\d+-slim-bookworm", image)
    assert match, f"{image}: not an exact python:X.Y.Z-slim-bookworm tag"
    return int(match[1]), int(match[2])


def test_hadolint_finds_nothing() -> None:
    done = subprocess.run(
        [str(HADOLINT), "--format", "json", "--no-fail", str(m.DOCKERFILE)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert json.loads(done.stdout) == []


def test_bases_are_exact_tags() -> None:
    for name, stage in stages().items():
        if stage.base not in stages():
            assert re.fullmatch(r"[a-z0-9./-]+:\d+\.\d+\.\d+-[a-z]+(-[a-z]+)?", stage.base), name


def test_each_image_has_the_python_its_environment_requires() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    requires = SpecifierSet(project["project"]["requires-python"])
    api, bot = python_minor(image_of("api")), python_minor(image_of("assistant"))
    # The API is typed and linted for 3.11 (mypy, ruff); the assistant for 3.10 (Rasa 3.6).
    assert api == tuple(int(x) for x in project["tool"]["mypy"]["python_version"].split("."))
    bot_target = re.search(r'target-version = "py3(\d+)"', (ROOT / "bot" / "ruff.toml").read_text())
    assert bot_target and bot == (3, int(bot_target[1]))
    for version in (api, bot):
        assert f"{version[0]}.{version[1]}" in requires
    # The training image: the assistant's, with the API's interpreter copied beside it.
    assert image_of("training") == image_of("assistant")
    copies = stages()["training"].args("COPY")
    assert "--from=python-api /usr/local/bin/python3.11 /usr/local/bin/python3.11" in copies
    # There /usr/local/bin/python is 3.10: each venv must link to its versioned interpreter.
    for stage, venv, version in (("api-env", "/opt/api", api), ("bot-env", "/opt/bot", bot)):
        run = " ".join(stages()[stage].args("RUN"))
        assert f"python{version[0]}.{version[1]} -m venv {venv} " in run, stage


def test_images_run_as_a_numeric_non_root_user() -> None:
    for target in TARGETS:
        stage = target
        while not stages()[stage].args("USER"):
            stage = stages()[stage].base
        assert re.fullmatch(r"[1-9]\d*:[1-9]\d*", stages()[stage].args("USER")[-1]), target


def test_no_secret_is_baked_in() -> None:
    for word, rest in instructions():
        if word in ("ENV", "ARG"):
            names = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=", rest) or [rest.split("=")[0]]
            assert not any(SECRET_NAME.search(name) for name in names), rest


def ignore_rules() -> list[tuple[bool, re.Pattern[str]]]:
    """.dockerignore as Docker reads it: (is an exception, pattern), the last match wins."""
    rules = []
    for raw in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated, pattern = line.startswith("!"), line.lstrip("!").strip("/")
        regex = re.escape(pattern).replace(r"\*\*/", "(.*/)?").replace(r"\*\*", ".*")
        rules.append((negated, re.compile(regex.replace(r"\*", "[^/]*").replace(r"\?", "[^/]"))))
    return rules


def in_context(path: str) -> bool:
    parts = path.split("/")
    included = True
    for negated, pattern in ignore_rules():
        # A pattern matches the path or one of its parent folders.
        if any(pattern.fullmatch("/".join(parts[:n])) for n in range(1, len(parts) + 1)):
            included = negated
    return included


def test_the_build_context_holds_what_the_images_copy_and_nothing_private() -> None:
    for word, rest in instructions():
        if word == "COPY" and not rest.startswith("--from="):
            *sources, _ = rest.split()
            for source in sources:
                path = source.rstrip("/")
                assert (ROOT / path).exists(), source
                assert in_context(path), f"{source} is left out by .dockerignore"
                if (ROOT / path).is_dir():
                    inside = next(p for p in sorted((ROOT / path).rglob("*.*")) if p.is_file())
                    assert in_context(inside.relative_to(ROOT).as_posix()), inside
    for private in PRIVATE:
        assert not in_context(private), private


def test_the_image_builds_what_the_makefile_builds() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    text = m.DOCKERFILE.read_text(encoding="utf-8")
    for variable in ("SOCKETIO_CLIENT", "SWAGGER_UI"):
        made = re.search(rf"^{variable} := (\S+)$", makefile, re.M)
        built = re.search(rf"^ARG {variable}=(\S+)$", text, re.M)
        assert made and built and made[1] == built[1], variable
    train = m.container(m.named("Job", "publish-model"), "train")
    recipe = re.search(r"rasa train (.+)$", makefile, re.M)
    assert recipe and m.command(train)[:-1] == ["rasa", "train", *recipe[1].split()[:-1]]
    publish = m.container(m.named("Job", "publish-model"), "publish")
    name = m.command(train)[m.command(train).index("--fixed-model-name") + 1]
    assert m.command(publish)[-1] == f"{m.command(train)[-1]}/{name}.tar.gz"


@pytest.mark.parametrize("extra", ["api", "bot"])
def test_the_images_install_the_extras_of_pyproject(extra: str) -> None:
    script = ROOT / "deploy" / "docker" / "extras.py"
    done = subprocess.run(
        [sys.executable, str(script), str(ROOT / "pyproject.toml"), extra, "--without", "pytest"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = [r for r in project["project"]["optional-dependencies"][extra] if r != "pytest>=7"]
    assert done.stdout.splitlines() == wanted
