"""A Careloop server process that can be told to fail, for the fault tests.

    python -m tests.support.faulty_server INSTANCE PORT [crash_after_commit]

runs the app (settings from the environment, as in production) on 127.0.0.1:PORT, one
request at a time. With ``crash_after_commit`` the process ends itself (``os._exit``) right
after a push's transaction commits and before its response is sent: the device never hears
back. The fault is installed here, before the app starts; the server code knows nothing of it.
"""

import os
import sys

from sqlalchemy import event
from sqlalchemy.orm import Session

CRASH_AFTER_COMMIT = "crash_after_commit"
CRASH_EXIT_CODE = 70


def _crash_after_push_commit(session: Session) -> None:
    from flask import has_request_context, request

    if session.in_nested_transaction():
        return  # a savepoint released (one mutation), not the push's commit
    if has_request_context() and request.path.endswith("/sync/push"):
        os._exit(CRASH_EXIT_CODE)


def main(instance: str, port: str, fault: str | None = None) -> None:
    from server import create_app

    if fault == CRASH_AFTER_COMMIT:
        event.listen(Session, "after_commit", _crash_after_push_commit)
    elif fault is not None:
        raise SystemExit(f"unknown fault {fault!r}")
    app = create_app({"INSTANCE_PATH": instance})
    app.run(host="127.0.0.1", port=int(port), use_reloader=False, threaded=False)


if __name__ == "__main__":
    main(*sys.argv[1:])
