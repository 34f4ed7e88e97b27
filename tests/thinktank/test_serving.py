import socket

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
