"""HTTP with retries, exponential backoff, a per-attempt deadline and a streamed size cap.

A transport failure, HTTP 5xx or 429 is retried ``config.retries`` times, waiting
``config.backoff * 2**n`` seconds before retry ``n + 1``; another unexpected status is final.
Bodies are streamed and reading stops as soon as they pass ``config.max_bytes``.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import requests

from ogpu.core.errors import IPFSError, IPFSFetchError, IPFSGatewayError
from ogpu.ipfs.config import IPFSConfig

__all__ = ["Reply", "request"]

_READ_SIZE = 64 * 1024
_FileField = tuple[str, bytes, str]


class Reply(NamedTuple):
    """An accepted HTTP answer: its status and its whole body."""

    status: int
    body: bytes


class _Retryable(Exception):
    """Carries the error to raise once the attempts run out."""

    def __init__(self, error: IPFSError) -> None:
        super().__init__(str(error))
        self.error = error


def request(
    method: str,
    url: str,
    config: IPFSConfig,
    *,
    ok: frozenset[int] = frozenset({200}),
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    files: dict[str, _FileField] | None = None,
) -> Reply:
    """Send a request until it succeeds or the retries run out.

    Raises :class:`IPFSGatewayError` for a status outside ``ok`` and :class:`IPFSFetchError` for
    a transport failure or a body larger than ``config.max_bytes``.
    """
    attempt = 0
    while True:
        try:
            return _attempt(method, url, config, ok, params, headers, files)
        except _Retryable as retry:
            if attempt >= config.retries:
                raise retry.error from retry.__cause__
        time.sleep(config.backoff * 2**attempt)
        attempt += 1


def _attempt(
    method: str,
    url: str,
    config: IPFSConfig,
    ok: frozenset[int],
    params: dict[str, str] | None,
    headers: dict[str, str] | None,
    files: dict[str, _FileField] | None,
) -> Reply:
    deadline = time.monotonic() + config.timeout
    try:
        response = requests.request(
            method,
            url,
            params=params,
            headers=headers,
            files=files,
            timeout=config.timeout,
            stream=True,
        )
    except requests.RequestException as exc:
        raise _Retryable(IPFSFetchError(url, _describe(exc))) from exc
    with response:
        status = response.status_code
        if status not in ok:
            error = IPFSGatewayError(url, status)
            if status >= 500 or status == 429:
                raise _Retryable(error)
            raise error
        return Reply(status, _read_capped(response, url, config.max_bytes, deadline))


def _read_capped(response: requests.Response, url: str, limit: int, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise IPFSFetchError(
            url, f"the response declares {declared} bytes, over the {limit}-byte cap"
        )
    body = bytearray()
    try:
        for chunk in response.iter_content(_READ_SIZE):
            body += chunk
            if len(body) > limit:
                raise IPFSFetchError(url, f"the response is over the {limit}-byte cap")
            if time.monotonic() > deadline:
                raise _Retryable(IPFSFetchError(url, "the response took longer than the timeout"))
    except requests.RequestException as exc:
        raise _Retryable(IPFSFetchError(url, _describe(exc))) from exc
    return bytes(body)


def _describe(exc: requests.RequestException) -> str:
    return f"{type(exc).__name__}: {exc}"
