"""Microseconds per message of the feature step (`compute_features`) on gemeente.yaml, warmed up.

Run: .venv/bin/python bench/protocol_features.py [--messages 3000] [--rounds 5] [--texts-from protocols/gemeente.yaml]
The lingua detector is built and every message seen once before timing, so the figure is the steady-state
cost per message the worker pays, in CPU time of the process (wall time swings with other work on the machine); the safety analyser alone is timed on the same texts when it exists.
`--texts-from` takes the message texts from another protocol file's examples, so an older checkout can be
timed on exactly the same messages.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from protocol_engine import varied_facts  # noqa: E402

from webcare.protocol import compute_features, load_protocol  # noqa: E402
from webcare.protocol.source import parse_source  # noqa: E402


def cpu_timed(function, items: list, rounds: int) -> float:
    """Best CPU seconds of this process per item over `rounds` passes (steadier than wall time on a shared machine)."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for item in items:
            function(item)
        best = min(best, (time.process_time() - started) / len(items))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--texts-from", type=Path, default=None)
    arguments = parser.parse_args()

    protocol = load_protocol(ROOT / "protocols" / "gemeente.yaml")
    source = protocol
    if arguments.texts_from:
        examples = parse_source(arguments.texts_from.read_text(encoding="utf-8"), arguments.texts_from.name).data[
            "examples"
        ]
        source = SimpleNamespace(examples=tuple(examples))
    facts = varied_facts(source, arguments.messages)
    for item in facts:
        compute_features(item, protocol)
    features = cpu_timed(lambda item: compute_features(item, protocol), facts, arguments.rounds)
    print(
        f"{len(facts)} messages from the examples of {arguments.texts_from or 'protocols/gemeente.yaml'}, best of {arguments.rounds}"
    )
    print(f"compute_features (language, lexicons, sentiment, safety): {features * 1e6:8.1f} µs per message")
    analyser = getattr(protocol.vocabulary, "safety", None)
    if analyser is not None:
        alone = cpu_timed(lambda item: analyser.analyse(item.text), facts, arguments.rounds)
        print(f"safety analyser alone:                                  {alone * 1e6:8.1f} µs per message")


if __name__ == "__main__":
    main()
