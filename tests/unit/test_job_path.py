"""A job's path as SJS builds it (appName, cp, dependent-jar-uris), and which package URIs the
server may fetch: never its own files, S3 and http(s) only where the operator allows."""

import pytest

from events.messages import PackageUri
from functions.domain.job_path import context_entries, job_entries
from infra.errors import BadRequest
from infra.package_uris import PackageUriRefused, checked_uri, is_uri
from infra.server_config import Dependencies

BUCKET = "sjs-local-123456789012-data"


def test_an_app_comes_after_the_job_configs_dependent_uris_as_in_sjs():
    config = {"dependent-jar-uris": ["libs", "s3://b/x.egg"], "cp": ["ignored"]}
    assert job_entries("app", None, config) == ("libs", "s3://b/x.egg", "app")
    assert job_entries("app", None, {"dependent-jar-uris": "a, b"}) == ("a", "b", "app")


def test_cp_comes_from_the_parameter_or_else_from_the_config_in_its_order():
    assert job_entries(None, "b,a, b", {"cp": ["z"]}) == ("b", "a")
    assert job_entries(None, None, {"cp": ["z", "y"]}) == ("z", "y")
    with pytest.raises(BadRequest, match="appName or cp"):
        job_entries(None, None, {})
    with pytest.raises(BadRequest, match="dependent-jar-uris must be a list"):
        job_entries("app", None, {"dependent-jar-uris": {"a": 1}})


def test_a_contexts_config_adds_its_own_entries():
    assert context_entries({"cp": ["x"], "dependent-jar-uris": "y,x"}) == ("x", "y")
    assert context_entries({"num-cpu-cores": 2}) == ()


@pytest.mark.parametrize(
    "entry", ["file:///etc/passwd", "local://opt/x.jar", "/opt/x.egg", "./x.egg", "ftp://host/x.egg"]
)
def test_the_servers_own_files_and_other_schemes_are_refused(entry):
    assert is_uri(entry)
    with pytest.raises(PackageUriRefused, match="server's own files"):
        checked_uri(entry, Dependencies(s3_buckets=("team-packages",), http_prefixes=("http://h/",)), BUCKET)


def test_s3_packages_come_from_the_stacks_drop_area_or_allowed_buckets():
    allowed = Dependencies(s3_buckets=("team-packages",))
    assert checked_uri(f"s3://{BUCKET}/binaries/libs/helpers.egg", allowed, BUCKET) == PackageUri(
        uri=f"s3://{BUCKET}/binaries/libs/helpers.egg", jar=False
    )
    assert checked_uri("s3://team-packages/udf.jar", allowed, BUCKET).jar
    for refused in (
        f"s3://{BUCKET}/results/other/job.json",
        f"s3://{BUCKET}/versions/x.egg",
        "s3://else/x.egg",
    ):
        with pytest.raises(PackageUriRefused, match="s3-buckets"):
            checked_uri(refused, allowed, BUCKET)


def test_http_packages_only_under_a_prefix_the_operator_lists():
    allowed = Dependencies(http_prefixes=("https://pkgs.example.com/sjs/",))
    assert checked_uri("https://pkgs.example.com/sjs/helpers.whl", allowed, BUCKET).uri
    for refused in (
        "https://pkgs.example.com/other/x.whl",
        "https://pkgs.example.com.evil.net/sjs/x.whl",
        "http://169.254.169.254/latest/meta-data/",
        "https://user:pw@pkgs.example.com/sjs/x.whl",
    ):
        with pytest.raises(PackageUriRefused, match="http-prefixes"):
            checked_uri(refused, allowed, BUCKET)
    with pytest.raises(PackageUriRefused):
        checked_uri("https://pkgs.example.com/sjs/x.whl", Dependencies(), BUCKET)  # none by default
