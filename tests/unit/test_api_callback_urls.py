"""callbackUrl at submit, through the API function: the server refuses to call back into its own
side of the network (loopback, link-local and the metadata address, private, unique-local,
multicast, reserved, unspecified), unless the operator allows a network."""

import pytest

from tests.support.receivers import LOOPBACK_CALLBACKS
from tests.unit.test_api_jobs import WORDCOUNT

REFUSED = [
    "http://127.0.0.1:9000/hook",
    "http://localhost/hook",
    "http://2130706433/",  # 127.0.0.1 written as a number
    "http://[::1]:8080/",
    "http://[::ffff:127.0.0.1]/",
    "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "http://[fe80::1]/",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://[fd00::1]/",
    "http://224.0.0.1/",
    "http://[ff02::1]/",
    "http://240.0.0.1/",
    "http://0.0.0.0:8080/",
    "http://[::]/",
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 to 169.254.169.254
]


def submit_with_callback(api, url: str, app: str = "no-such-app"):
    return api("POST", f"/jobs?appName={app}&classPath={WORDCOUNT}&callbackUrl={url}")


@pytest.mark.parametrize("url", REFUSED)
def test_callbacks_into_the_servers_network_are_400s(api, app_name, url):
    answer = submit_with_callback(api, url, app_name)
    assert answer.status == 400, url
    assert answer.body["status"] == "ERROR"
    assert "callbackUrl host" in answer.body["result"]
    assert "(limits.callback-allowed-networks)" in answer.body["result"]


def test_a_public_address_passes(api):
    assert submit_with_callback(api, "http://8.8.8.8/hooks").status == 404  # checked, then the app


def test_a_host_that_does_not_resolve_is_a_400(api):
    answer = submit_with_callback(api, "http://no-such-host.invalid/hook")
    assert answer.status == 400 and "does not resolve" in answer.body["result"]


def test_the_operator_allows_a_network_and_only_that(api, configure):
    configure(LOOPBACK_CALLBACKS)
    assert submit_with_callback(api, "http://127.0.0.1:9000/hook").status == 404
    assert submit_with_callback(api, "http://localhost:9000/hook").status == 404
    assert submit_with_callback(api, "http://169.254.169.254/").status == 400
    assert submit_with_callback(api, "http://10.1.2.3/").status == 400
