"""How the suite shares out over pytest-xdist workers (`make test` runs ``pytest -n 3``): which tests never overlap.

The unit of work is a test module, as with ``--dist loadfile``: the tests of one module run on one worker, one after
another, so a module may listen on fixed loopback addresses and ports (its simulated cameras, its peers) without
meeting itself. Modules that listen on the same addresses (through a session fixture in a ``conftest.py``, or one
address block used by several modules) are one unit: a group in ``SHARED``. The camfleet process tests are one
unit as well, so that no two of them (hundreds of simulated cameras, several collectors, a private PostgreSQL
cluster, a wheel build) compete for the two cores at the same time; they are handed out first, as they take longest.

Everything else a test uses is its own per worker already: ``tmp_path``, the SQLite template, the PostgreSQL
database (a random name per worker session), free ports (``free_port``), a private cluster's folder and port.
"""

from __future__ import annotations

import pytest
from xdist.remote import Producer
from xdist.scheduler import LoadScopeScheduling
from xdist.workermanage import WorkerController

# Group name -> the module paths (or folder prefixes) that run as one unit.
SHARED: dict[str, tuple[str, ...]] = {
    # tests/collectors/conftest.py's session peers on 127.50.x.y (ONVIF replays, snmpsim, hostile peers, recorder):
    # the whole folder, so that a new module using them joins without a change here.
    "collector peers on 127.50": ("tests/collectors/",),
    # tests/simulator/conftest.py's fleet on 127.40.1.x, started by tests in several modules.
    "simulated fleet on 127.40": ("tests/simulator/",),
    # Simulated cameras on 127.72.0.x, ports 8080/1161/8554, in both.
    "simulated cameras on 127.72": ("tests/scheduler/test_outage_edges.py", "tests/test_cli_decisions.py"),
    # Real camfleet processes (the `processes` mark): heavy, and some measure intervals at the device.
    "camfleet processes": (
        "tests/scheduler/test_collectors_faults.py",
        "tests/scheduler/test_exclusive.py",
        "tests/scheduler/test_silent_collectors.py",
        "tests/test_cli_serve_workers.py",
        "tests/test_cli_stop.py",
        "tests/test_install.py",
    ),
}
# Units handed out before the others, longest first (from `pytest --durations`): a long unit started last would
# keep the run going after the other workers are done. The rest follow, those with the most tests first.
FIRST = (
    "camfleet processes",
    "tests/test_cli_tickets.py",
    "tests/test_cli.py",
    "tests/api/test_openapi_fuzz.py",
    "tests/browser/test_journeys.py",
    "tests/test_cli_hostile_exports.py",
    "tests/test_cli_inventory.py",
    "simulated cameras on 127.72",
    "collector peers on 127.50",
    "tests/scheduler/test_dispatcher.py",
)


def unit_of(nodeid: str) -> str:
    """The unit of work a test belongs to: its group in SHARED, or else its module."""
    module = nodeid.split("::", 1)[0]
    for group, paths in SHARED.items():
        if any(module == path or (path.endswith("/") and module.startswith(path)) for path in paths):
            return group
    return module


class ModuleGroupScheduling(LoadScopeScheduling):
    """xdist's scope scheduling (units with the most tests first) over camfleet's units, the FIRST ones before all."""

    def _split_scope(self, nodeid: str) -> str:
        return unit_of(nodeid)

    def _assign_work_unit(self, node: WorkerController) -> None:
        for unit in reversed(FIRST):
            if unit in self.workqueue:
                self.workqueue.move_to_end(unit, last=False)
        super()._assign_work_unit(node)


class Parallel:
    """Registered by tests/conftest.py when pytest-xdist is present."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_xdist_make_scheduler(self, config: pytest.Config, log: Producer) -> ModuleGroupScheduling:
        return ModuleGroupScheduling(config, log)
