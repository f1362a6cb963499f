"""``python -m ogpu.devnet.demo`` (``make demo``) runs the whole round trip and shows every step."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration

EXPECTED_EVENTS = [
    "Vault.Deposited  account=client",
    "Terminal.ProviderAnnounced  provider=provider master=master",
    "Terminal.MasterAnnounced  provider=provider master=master",
    "Terminal.AgentSet  account=master agent=agent value=True",
    "Nexus.SourcePublished",
    "Nexus.Registered  provider=provider",
    "Nexus.TaskPublished",
    "Nexus.Attempted  task=task provider=provider",
    "Nexus.ResponseSubmitted",
    "Nexus.ResponseStatusChanged  response=response status=CONFIRMED",
    "Nexus.TaskStatusChanged  task=task status=FINALIZED",
    "Vault.Withdrawn  account=provider amount=0.1 OGPU",
]


def test_demo_round_trip_prints_steps_events_and_summary() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ogpu.devnet.demo", "--pace", "0"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    out = done.stdout
    assert done.returncode == 0, done.stderr + out
    steps = re.findall(r"^\[\s*(\d+)/11\] ", out, flags=re.MULTILINE)
    assert steps == [str(n) for n in range(1, 12)]
    events = [line for line in out.splitlines() if line.lstrip().startswith("event")]
    missing = [
        expected for expected in EXPECTED_EVENTS if not any(expected in line for line in events)
    ]
    assert not missing, out
    positions = [
        next(i for i, line in enumerate(events) if expected in line) for expected in EXPECTED_EVENTS
    ]
    assert positions == sorted(positions), "events were not printed in chain order"
    assert re.search(r"^  task +0x[0-9a-fA-F]{40}  status FINALIZED$", out, flags=re.MULTILINE)
    assert "provider earned 0.1 OGPU; client vault balance 0.9 OGPU" in out
    assert "11 transactions" in out and f"{len(events)} events watched" in out
    assert out.rstrip().endswith("round trip complete")
