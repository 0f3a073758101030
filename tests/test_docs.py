"""The README documents every command of the command line."""

import argparse
from pathlib import Path

from tracker.cli import build_parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> list[str]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                nested = _commands(sub, f"{prefix}{name} ")
                found.extend(nested or [f"{prefix}{name}"])
    return found


def test_every_command_is_in_the_readme():
    commands = _commands(build_parser())
    assert "recommendations import" in commands
    missing = [c for c in commands if f"| `{c}" not in README]
    assert missing == []
