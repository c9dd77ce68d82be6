"""pytest's hooks for the end-to-end tests. The harness itself (prog, run,
Proc, Namespace, need, ...) is harness.py, shared with the exercise graders."""

import os
import tempfile

import pytest

from harness import CI, ROOT_ONLY, real_root


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI, any skip (however it came about) fails the test, except a
    root-only test's in a normal user's run."""
    report = (yield).get_result()
    root_only = not real_root() and ROOT_ONLY in str(report.longrepr)
    if CI and report.skipped and not hasattr(report, "wasxfail") and not root_only:
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, which counts as a failure: {report.longrepr}"


# The suites must leave the machine as they found it: /tmp (and TMPDIR)
# keep their modes. A change fails the whole session, naming the folder.
WATCHED = sorted({"/tmp", tempfile.gettempdir()})
MODES = {}


def pytest_sessionstart(session):
    MODES.update({path: os.stat(path).st_mode for path in WATCHED})


def pytest_sessionfinish(session, exitstatus):
    for path, mode in MODES.items():
        now = os.stat(path).st_mode
        if now != mode:
            print(f"\nFAILED: the tests changed the mode of {path} from {mode & 0o7777:o} to {now & 0o7777:o}")
            session.exitstatus = 1
