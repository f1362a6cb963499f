"""Unit tests of IPFS URL recognition and of the process-wide IPFSConfig."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap

import pytest

from ogpu.core.errors import ConfigError
from ogpu.ipfs import IPFSConfig, configure, get_config, reset_config
from ogpu.ipfs.urls import IPFSTarget, parse_ipfs_url

CID = "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am"


@pytest.mark.parametrize(
    ("url", "target"),
    [
        (f"ipfs://{CID}", IPFSTarget(CID)),
        (f"ipfs://{CID}/dir/a%20b.json", IPFSTarget(CID, "/dir/a%20b.json")),
        (f"https://gw.example/ipfs/{CID}", IPFSTarget(CID, "", "https://gw.example")),
        (f"https://gw.example/ipfs/{CID}/", IPFSTarget(CID, "", "https://gw.example")),
        (
            f"http://127.0.0.1:8080/ipfs/{CID}/x?download=1",
            IPFSTarget(CID, "/x", "http://127.0.0.1:8080"),
        ),
        (f"https://host/prefix/ipfs/{CID}", IPFSTarget(CID, "", "https://host/prefix")),
        (f"https://{CID}.ipfs.dweb.link/a", IPFSTarget(CID, "/a", "https://dweb.link")),
        ("https://docs.ipfs.tech/how-to/x.json", None),  # "docs" is not a CID
        ("https://example.com/data.json", None),
        ("https://example.com/ipfs/", None),
        ("https://example.com/ipns/example.com", None),
    ],
)
def test_parse_ipfs_url(url: str, target: IPFSTarget | None) -> None:
    assert parse_ipfs_url(url) == target


@pytest.mark.parametrize("url", ["ftp://host/x", "ipfs://", "data.json", "https:///ipfs/x"])
def test_parse_rejects_other_urls(url: str) -> None:
    with pytest.raises(ValueError):
        parse_ipfs_url(url)


def test_gateway_order_puts_the_urls_own_gateway_first_without_repeats() -> None:
    target = IPFSTarget(CID, "/a", "https://b.example")
    assert target.gateways(("https://a.example", "https://b.example")) == [
        "https://b.example",
        "https://a.example",
    ]
    assert IPFSTarget(CID).gateways(("https://a.example",)) == ["https://a.example"]
    assert target.url("https://a.example") == f"https://a.example/ipfs/{CID}/a"
    assert target.segments == ["a"]


def test_defaults_are_the_0_2_1_values_plus_the_new_safety_settings() -> None:
    config = IPFSConfig()
    assert config.publish_backend == "pinning"
    assert config.publish_url == "https://capi.ogpuscan.io/file/create"
    assert config.gateways == ("https://cipfs.ogpuscan.io",)
    assert config.timeout == 30.0
    assert config.max_bytes == 8 * 1024 * 1024
    assert config.verify is True
    assert config.retries > 0


def test_configure_changes_the_process_settings_until_reset() -> None:
    assert get_config() == IPFSConfig()
    changed = configure(gateways=["http://127.0.0.1:9/", "https://ipfs.io"], retries=0)
    assert get_config() is changed
    assert changed.gateways == ("http://127.0.0.1:9", "https://ipfs.io")  # tuple, no trailing slash
    assert changed.retries == 0
    assert configure(verify=False).retries == 0  # changes accumulate
    assert reset_config() == IPFSConfig() == get_config()


def test_config_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        get_config().verify = False  # type: ignore[misc]


@pytest.mark.parametrize(
    "changes",
    [
        {"publish_backend": "s3"},
        {"kubo_cid_version": 2},
        {"gateways": ()},
        {"gateways": ("ftp://x",)},
        {"publish_url": "not a url"},
        {"kubo_api_url": "127.0.0.1:5001"},
        {"timeout": 0},
        {"retries": -1},
        {"backoff": -0.5},
        {"max_bytes": 0},
        {"gatways": ("https://x",)},
    ],
)
def test_bad_settings_raise_config_error(changes: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        configure(**changes)
    assert get_config() == IPFSConfig()  # nothing half-applied


def test_import_connects_nowhere_starts_nothing_and_ignores_env() -> None:
    script = textwrap.dedent("""
        import os, sys
        os.environ["OGPU_IPFS_GATEWAYS"] = "https://evil.example"
        os.environ["IPFS_GATEWAY"] = "https://evil.example"
        events = []
        def hook(event, args):
            # urllib3 binds a socket to ::1 at import to probe IPv6; connections are what count
            if event in ("socket.connect", "socket.getaddrinfo", "subprocess.Popen", "os.system"):
                events.append(event)
        sys.addaudithook(hook)
        import ogpu.ipfs, ogpu.ipfs.node
        assert ogpu.ipfs.get_config() == ogpu.ipfs.IPFSConfig(), ogpu.ipfs.get_config()
        assert ogpu.ipfs.get_config().gateways == ("https://cipfs.ogpuscan.io",)
        print(events)
        """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
