"""The loop behind ``flask worker``: say it is alive, queue what the schedule says is due,
run one job; sleep a moment when there was nothing to do. SIGTERM (systemd's stop) lets the
job in hand finish, then the loop ends."""

import signal
import time
from collections.abc import Callable

# housekeeping and reports register their job kinds when imported.
from server.jobs import housekeeping, kinds, queue, reports, schedule  # noqa: F401


class Stop:
    def __init__(self):
        self.asked = False

    def __call__(self, *_):
        self.asked = True


def work(
    name: str | None = None,
    *,
    once: bool = False,
    poll: float = 2.0,
    stop: Callable[[], bool] | None = None,
    say: Callable[[str], None] = print,
) -> int:
    """Run jobs until stopped; ``once``: until the queue is empty. Returns jobs run."""
    name = name or queue.worker_name()
    stopper = Stop()
    before = {}
    if stop is None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            before[sig] = signal.signal(sig, stopper)
        stop = lambda: stopper.asked  # noqa: E731
    try:
        ran = _loop(name, once, poll, stop, say)
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
    say(f"Careloop worker {name}: stopped after {ran} job{'' if ran == 1 else 's'}.")
    return ran


def _loop(name, once, poll, stop, say) -> int:
    ran = 0
    say(f"Careloop worker {name}: waiting for jobs.")
    while not stop():
        queue.heartbeat(name)
        schedule.queue_due()
        status = kinds.run_one(name)
        if status is not None:
            ran += 1
            say(f"job {status}")
            continue
        if once:
            break
        time.sleep(poll)
    return ran
