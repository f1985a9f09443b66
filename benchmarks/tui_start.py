"""Time to first paint and to ready of `inquirer tui`, in a real terminal (tmux).

    .venv/bin/python benchmarks/tui_start.py [--repeats 5]

Each run starts `inquirer tui` in a fresh tmux window on an indexed home and polls the screen
(capture-pane every 20 ms): first paint is when the input's placeholder shows; ready is when
the status bar shows the corpus's note count (the index is open; the models load with the first
question). Prints the medians and writes benchmarks/results/tui-start.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PAINTED = "Ask a question"
READY = " notes ("


def screen(session: str) -> str:
    out = subprocess.run(
        ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
    )
    return out.stdout


def one_run(home: Path, number: int) -> tuple[float, float]:
    session = f"inq-bench-{os.getpid()}-{number}"
    command = f"INQUIRER_HOME={home} {BIN / 'inquirer'} tui"
    start = time.perf_counter()
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30", command],
        check=True,
    )
    painted = ready = None
    try:
        while time.perf_counter() - start < 120:
            text = screen(session)
            now = time.perf_counter() - start
            if painted is None and PAINTED in text:
                painted = now
            if READY in text:
                ready = now
                break
            time.sleep(0.02)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    if painted is None or ready is None:
        raise SystemExit(f"run {number}: the TUI did not paint or get ready within 120 s")
    return painted, ready


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        raise SystemExit("tmux is needed: apt-get install tmux")
    home = Path(tempfile.mkdtemp(prefix="inq-tui-"))
    env = os.environ | {"INQUIRER_HOME": str(home)}
    subprocess.run(
        [str(BIN / "inquirer"), "index", str(REPO / "corpus")],
        env=env,
        check=True,
        capture_output=True,
    )
    runs = [one_run(home, n) for n in range(args.repeats)]
    painted = statistics.median(p for p, _ in runs)
    ready = statistics.median(r for _, r in runs)
    result = {
        "runs": [{"first_paint_s": round(p, 3), "ready_s": round(r, 3)} for p, r in runs],
        "first_paint_median_s": round(painted, 3),
        "ready_median_s": round(ready, 3),
    }
    print(f"first paint: median {painted:.2f} s over {len(runs)} runs (target < 1 s)")
    print(f"ready (index open, note count shown): median {ready:.2f} s")
    out = REPO / "benchmarks" / "results" / "tui-start.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out.relative_to(REPO)}")
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
