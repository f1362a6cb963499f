"""The coverage report: every generated function spec and every event spec met the devnet.

The conftest runs this test after all others; run it with the whole ``tests/protocol`` folder
(alone it reports what the session exercised: nothing).
"""

from __future__ import annotations

from protocol_kit import COVERAGE, all_event_keys, all_function_keys


def test_every_function_and_event_was_exercised() -> None:
    lines = COVERAGE.summary(details=True)
    print("\n".join(lines))
    assert len(all_function_keys()) == 175  # the 8 contract modules of the mainnet ABI set
    assert len(all_event_keys()) == 34  # 29 event classes; OwnershipTransferred on 6 contracts
    assert COVERAGE.functions >= all_function_keys(), "\n".join(lines)
    assert COVERAGE.events >= all_event_keys(), "\n".join(lines)
