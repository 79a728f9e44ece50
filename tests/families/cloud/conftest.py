"""The control tests' fast runtimes, for the plan-run tests that drive the control API."""

from tests.control.conftest import runtime, shared_client, steady

__all__ = ["runtime", "shared_client", "steady"]
