"""Print the requirements of one extra of pyproject.toml, one a line (the images' pip input).

    python extras.py pyproject.toml api [--without NAME ...]

The images install an extra's requirements under its constraints file, never the project
itself: the code is copied to /app and found through PYTHONPATH, as in `make cluster`.
"""

import argparse
import re
import tomllib


def requirements(pyproject: str, extra: str, without: frozenset[str] = frozenset()) -> list[str]:
    with open(pyproject, "rb") as file:
        extras = tomllib.load(file)["project"]["optional-dependencies"]
    kept = []
    for requirement in extras[extra]:
        name = re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower()
        if name not in without:
            kept.append(requirement)
    return kept


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pyproject")
    parser.add_argument("extra")
    parser.add_argument("--without", action="append", default=[])
    arguments = parser.parse_args()
    without = frozenset(name.lower() for name in arguments.without)
    for line in requirements(arguments.pyproject, arguments.extra, without):
        print(line)


if __name__ == "__main__":
    main()
