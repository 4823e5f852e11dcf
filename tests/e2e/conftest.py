"""pytest fixtures shared by the Python end-to-end suites."""
from __future__ import annotations

import signal

import pytest

import e2e_support as sup

DEFAULT_TEST_TIMEOUT = 90


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "timeout_seconds(n): fail the test if it runs longer than n seconds")


@pytest.fixture(autouse=True)
def _per_test_timeout(request):
    """A hung server must fail one test, not stall the whole run."""
    marker = request.node.get_closest_marker("timeout_seconds")
    seconds = int(marker.args[0]) if marker else DEFAULT_TEST_TIMEOUT

    def on_alarm(signum, frame):
        raise TimeoutError(f"test exceeded {seconds}s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="session")
def kinesis():
    return sup.make_client()


@pytest.fixture(scope="session")
def kinesis_raw():
    """A client that skips botocore's parameter validation, to reach server-side checks."""
    return sup.make_client(validate=False)


@pytest.fixture
def make_stream(kinesis):
    """Factory: make_stream(shards=2, **create_args) -> name; created ACTIVE, deleted afterwards."""
    created: list[str] = []

    def factory(shards: int | None = 2, prefix: str = "e2e", **kwargs) -> str:
        name = kwargs.pop("name", None) or sup.unique_name(prefix)
        args = {"StreamName": name, **kwargs}
        if shards is not None:
            args["ShardCount"] = shards
        kinesis.create_stream(**args)
        created.append(name)
        sup.wait_active(kinesis, name)
        return name

    yield factory
    for name in created:
        try:
            kinesis.delete_stream(StreamName=name, EnforceConsumerDeletion=True)
        except Exception:
            pass


@pytest.fixture
def stream(make_stream):
    """A fresh ACTIVE stream of 2 shards."""
    return make_stream(2)
