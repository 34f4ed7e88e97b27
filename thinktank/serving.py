"""The web process as the Procfile runs it: uvicorn, one worker process per core, and keep-alive
connections without the 40 ms penalty that `uvicorn --workers N` has on Linux.

    python -m thinktank.serving [--host 0.0.0.0] [--port 8000] [--workers N]

`uvicorn --workers N` (and its gunicorn worker) binds the listening socket itself with the
protocol left at 0. Accepted connections inherit it, and asyncio turns on TCP_NODELAY only for a
socket that says IPPROTO_TCP, so Nagle's algorithm stays on and every keep-alive request after
the first waits for the client's delayed ACK (Kludex/uvicorn issue #3149, open). We let uvicorn
bind the socket as usual, then wrap its descriptor again so that the kernel reports the protocol,
and hand it to uvicorn's own supervisor. Everything else is uvicorn's: its worker restarts, its
signals, its proxy-header handling.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys

import uvicorn
from uvicorn.supervisors import Multiprocess

APP = "thinktank.app:app"


def with_protocol(sock: socket.socket) -> socket.socket:
    """The same listening socket, re-read from its descriptor so that `proto` is IPPROTO_TCP
    (socket.socket(fileno=...) asks the kernel for family, type and protocol)."""
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.proto == socket.IPPROTO_TCP:
        return sock
    fixed = socket.socket(fileno=sock.detach())
    fixed.set_inheritable(True)
    return fixed


def serve(config: uvicorn.Config) -> None:
    """Bind once, then run `config.workers` worker processes (or one, in this process) on it."""
    sock = with_protocol(config.bind_socket())
    if config.workers > 1:
        Multiprocess(config, sockets=[sock]).run()
    else:
        uvicorn.Server(config).run(sockets=[sock])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", default=APP, help=f"the ASGI app as module:attribute (default {APP})")
    parser.add_argument("--app-dir", default="", help="a folder to import the app from")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="default: one per core")
    parser.add_argument("--forwarded-allow-ips", default="127.0.0.1", help="proxies whose X-Forwarded-* we trust")
    parser.add_argument("--no-access-log", action="store_true")
    parser.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    args = parser.parse_args(argv)
    if args.workers < 1 or not 0 <= args.port < 65536:
        parser.error("--workers must be at least 1 and --port between 0 and 65535")
    if args.app_dir:
        sys.path.insert(0, args.app_dir)
    config = uvicorn.Config(
        args.app,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips,
        access_log=not args.no_access_log,
        log_level=args.log_level,
    )
    serve(config)


if __name__ == "__main__":
    main()
