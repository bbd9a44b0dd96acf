"""Servers the tests start as processes of their own: stopping them, and waiting for a
redis-server to answer."""

from __future__ import annotations

import subprocess
import time

import pytest
import redis


def stop_process(process: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM (a server finishes what it is doing), then SIGKILL when it takes longer."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_for_redis(process: subprocess.Popen, url: str, timeout: float = 10) -> None:
    """Until the redis-server at `url` answers PING; a failed test if it exits or never does."""
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not answer PING at {url}")
                time.sleep(0.05)
    finally:
        client.close()
