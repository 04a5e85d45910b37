"""HAProxy's admin socket: `show stat` and `show info`, what HAProxy itself reports."""

from __future__ import annotations

import csv
import socket
from pathlib import Path


def _ask(stats_socket: Path, command: str, timeout: float = 5) -> str:
    """Send one command on the UNIX socket and read until HAProxy closes it (raises OSError)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(stats_socket))
        sock.sendall(f"{command}\n".encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()


def haproxy_show_stat(stats_socket: Path) -> list[dict[str, str]]:
    """One dict per proxy and server (`pxname`, `svname`, `scur`, `slim`, ...)."""
    text = _ask(stats_socket, "show stat").lstrip("# ")
    return [dict(row) for row in csv.DictReader(line for line in text.splitlines() if line)]


def haproxy_show_info(stats_socket: Path) -> dict[str, str]:
    """`show info` as name -> value (`Maxconn`, `CurrConns`, `Pid`, ...)."""
    info: dict[str, str] = {}
    for line in _ask(stats_socket, "show info").splitlines():
        name, colon, value = line.partition(":")
        if colon:
            info[name.strip()] = value.strip()
    return info
