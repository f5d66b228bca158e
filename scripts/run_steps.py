"""`make test`'s runner: run make targets side by side, print each one's output whole.

    python scripts/run_steps.py [--jobs N] STEP [STEP...]

Runs `make STEP` for every step, at most N at once (TEST_JOBS, default 2), in the order
given: the long pytest legs first, the tooling steps in the lanes as they free up. A step's
output goes to a file and is printed in one block when the step ends, so two steps never
interleave their lines. Every step runs even when one fails; the runner then names the
failed steps and exits 1. At the end it prints how long each step took.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}m{seconds % 60:04.1f}s"


class Step:
    def __init__(self, name: str, folder: Path):
        self.name = name
        self.log = folder / f"{name}.log"
        self.proc: subprocess.Popen | None = None
        self.started = self.seconds = 0.0

    def start(self) -> None:
        print(f"make test: {self.name} started", flush=True)
        self.started = time.monotonic()
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                ["make", "--no-print-directory", self.name],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def done(self) -> bool:
        if self.proc.poll() is None:
            return False
        self.seconds = time.monotonic() - self.started
        return True

    def report(self) -> None:
        verdict = "passed" if self.proc.returncode == 0 else "FAILED"
        sys.stdout.write(self.log.read_text(errors="replace"))
        print(f"make test: {self.name} {verdict} in {_minutes(self.seconds)}\n", flush=True)


def run(names: list[str], jobs: int) -> int:
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="careloop-steps-") as tmp:
        waiting = [Step(name, Path(tmp)) for name in names]
        running: list[Step] = []
        finished: list[Step] = []
        while waiting or running:
            while waiting and len(running) < jobs:
                running.append(waiting.pop(0))
                running[-1].start()
            for step in [s for s in running if s.done()]:
                running.remove(step)
                step.report()
                finished.append(step)
            time.sleep(0.2)
    print(f"make test: step times (side by side, at most {jobs} at once)")
    for step in finished:
        print(f"  {step.name:<20} {_minutes(step.seconds)}")
    print(f"  {'total':<20} {_minutes(time.monotonic() - began)}")
    failed = [s.name for s in finished if s.proc.returncode != 0]
    if failed:
        print("make test: FAILED: " + " ".join(failed), file=sys.stderr)
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("TEST_JOBS", "2")))
    parser.add_argument("steps", nargs="+")
    args = parser.parse_args()
    return run(args.steps, max(1, args.jobs))


if __name__ == "__main__":
    sys.exit(main())
