from __future__ import annotations

import pytest


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        item.session.stash.setdefault(SMOKE_FAILED, []).append(item.nodeid)
    return report


SMOKE_FAILED = pytest.StashKey[list]()
