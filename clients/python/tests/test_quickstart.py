"""The README's quick start, against a live server this test starts."""

import json
import os
import pathlib
import re
import subprocess
import tempfile
import time
import urllib.request

import pytest

from quickstart import quickstart

ROOT = pathlib.Path(__file__).resolve().parents[3]
SERVER = pathlib.Path(os.environ.get("OVERCAST_SERVER_BIN", ROOT / "target/debug/overcast-server"))
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f me@laptop"


@pytest.fixture
def server():
    assert SERVER.exists(), f"{SERVER} is missing: build it with `cargo build -p overcast-server`"
    hostd = SERVER.with_name("overcast-hostd")
    assert hostd.exists(), f"{hostd} is missing: build it with `cargo build -p overcast-hostd`"
    with tempfile.TemporaryDirectory() as data:
        # The all-in-one cloud: a local host with its own libvirtd and tgtd.
        proc = subprocess.Popen(
            [SERVER, "--listen", "127.0.0.1:0", "--internal-listen", "127.0.0.1:0", "--data-dir", data,
             "--all-in-one", "--accelerator", "tcg", "--images-dir", ROOT / "target/images"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        try:
            base = None
            for line in proc.stdout:
                m = re.search(r"Overcast API:\s+(http://\S+)/v1", line)
                if m:
                    base = m.group(1)
                    break
            assert base, "the server did not print its address"
            token = (pathlib.Path(data) / "operator.token").read_text().strip()
            wait_for_host(base, token)
            yield base, token
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            subprocess.run([hostd, "teardown", "--state-dir", pathlib.Path(data) / "host"], capture_output=True)


def wait_for_host(base, token):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        req = urllib.request.Request(base + "/v1/hosts", headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req) as r:
            if any(h["state"] == "active" for h in json.load(r)["items"]):
                return
        time.sleep(0.1)
    raise AssertionError("the local host did not come up")


def call(base, token, path, body):
    req = urllib.request.Request(
        base + path, data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def test_quickstart_runs_against_a_live_server(server):
    base, op = server
    account = call(base, op, "/v1/accounts", {"name": "acme"})
    token = call(base, op, "/v1/tokens", {"scope": "account_read_write", "account": account["id"]})["secret"]
    call(base, op, "/v1/ip-pools", {"name": "public", "first_address": "203.0.113.10",
                                    "last_address": "203.0.113.20", "prefix_len": 24, "gateway": "203.0.113.1"})
    result = quickstart(base, token, KEY)
    assert result["drives"] == 25
    assert result["drives_async"] == 25
    assert result["instance"].state.value == "running"
    assert result["not_found"].error_code == "not_found"
    assert result["not_found"].status == 404
    assert result["not_found"].request_id


def test_readme_shows_this_quickstart():
    source = (pathlib.Path(__file__).parent / "quickstart.py").read_text().strip()
    readme = (pathlib.Path(__file__).parents[1] / "README.md").read_text()
    assert source in readme, "clients/python/README.md must show tests/quickstart.py verbatim"
