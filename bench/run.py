"""The benchmarks in ``bench/`` (``make bench``): without names, the list of them with what
each measures and how to run it; with names (``make bench BENCH="clock report"``), those
run one after the other with their defaults, each printing its figures next to its
baseline. A name that is not a benchmark is an error. Files starting with ``_`` are
helpers of the others, not benchmarks.

Each benchmark's own options (a PostgreSQL database, the number of clients, the size of the
data) are in its docstring: run it directly for those.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def benchmarks() -> dict[str, Path]:
    """The benchmarks by name: every ``bench/*.py`` but this one and the helpers."""
    return {
        path.stem: path
        for path in sorted(HERE.glob("*.py"))
        if not path.stem.startswith("_") and path.stem != "run"
    }


def summary(path: Path) -> str:
    """The first paragraph of a benchmark's docstring, on one line."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return " ".join(doc.split("\n\n")[0].split())


def main(names: list[str]) -> int:
    found = benchmarks()
    if not names:
        print('Benchmarks (make bench BENCH="name …" runs them; options: see each file):\n')
        for name, path in found.items():
            print(f"  {name:<20} {summary(path)}")
        return 0
    unknown = [n for n in names if n not in found]
    if unknown:
        print(f"bench/run.py: not a benchmark: {', '.join(unknown)}", file=sys.stderr)
        print(f"the benchmarks: {', '.join(found)}", file=sys.stderr)
        return 2
    for name in names:
        print(f"=== bench/{name}.py", flush=True)
        done = subprocess.run([sys.executable, str(found[name])], check=False)
        if done.returncode:
            print(f"bench/run.py: {name} failed (exit {done.returncode})", file=sys.stderr)
            return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
