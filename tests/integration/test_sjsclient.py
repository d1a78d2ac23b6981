"""python-sjsclient, the PyPI client of spark-jobserver, works unchanged against this server."""

import collections
import collections.abc

from tests.integration.conftest import WORDCOUNT, unique

collections.MutableMapping = collections.abc.MutableMapping  # the client predates Python 3.10

from sjsclient import client as sjs  # noqa: E402
from sjsclient.app import AppType  # noqa: E402


def test_python_sjsclient_session(stack, example_egg):
    server = sjs.Client(stack.url)
    app = server.apps.create(unique("client"), example_egg, AppType.PYTHON)
    assert app.name in [a.name for a in server.apps.list()]
    context = server.contexts.create(unique("client"), {"num-cpu-cores": 1})
    stack.host_group(context.name)
    job = server.jobs.create(app, WORDCOUNT, conf='input.strings = ["x", "y", "x"]', ctx=context, sync=True)
    assert job.result == {"x": 2, "y": 1}
    fetched = server.jobs.get(job.jobId)
    assert fetched.status == "FINISHED" and fetched.result == {"x": 2, "y": 1}
    assert fetched.get_config() == {"input": {"strings": ["x", "y", "x"]}}
    context.delete()
    assert context.name not in [c.name for c in server.contexts.list()]
