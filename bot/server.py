"""Rasa's command line with the project's fixes installed: `python -m bot.server run …`.

Used for the Rasa server (Procfile, tests, benchmarks) instead of the `rasa` script.
"""

from __future__ import annotations

from bot import speedups


def main() -> None:
    speedups.install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
