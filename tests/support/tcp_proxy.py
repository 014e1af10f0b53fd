"""A TCP forwarder on 127.0.0.1 that can be cut: a network path that fails until it is mended.

While cut, every connection is accepted and closed at once (the client sees
the server disconnect, as behind a restarting load balancer); once mended,
connections are relayed to the target. With ``dial`` it opens the upstream
connections itself (``support.network`` relays into a network namespace so).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

CHUNK = 64 * 1024


def _connect(address: tuple[str, int]) -> socket.socket:
    return socket.create_connection(address, timeout=5)


class TcpProxy:
    def __init__(self, target_port: int, *, cut: bool = True, target_host: str = "127.0.0.1",
                 dial: Callable[[tuple[str, int]], socket.socket] = _connect) -> None:
        self.target = (target_host, target_port)
        self._dial = dial
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._mended = threading.Event()
        if not cut:
            self._mended.set()
        self._closing = threading.Event()
        self.refused = 0  # connections closed while cut
        self._thread = threading.Thread(target=self._serve, name=f"tcp-proxy-{self.port}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "TcpProxy":
        self._thread.start()
        return self

    def mend(self) -> None:
        self._mended.set()

    def close(self) -> None:
        self._closing.set()
        self._thread.join(timeout=5)
        self._listener.close()

    def _serve(self) -> None:
        while not self._closing.is_set():
            try:
                downstream, _ = self._listener.accept()
            except TimeoutError:
                continue
            if not self._mended.is_set():
                self.refused += 1
                downstream.close()
                continue
            try:
                upstream = self._dial(self.target)
            except OSError:
                downstream.close()
                continue
            for source, sink in ((downstream, upstream), (upstream, downstream)):
                threading.Thread(target=_pipe, args=(source, sink), daemon=True).start()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    """Copy until either side closes, then close both (ending the other direction too)."""
    source.settimeout(None)
    try:
        while data := source.recv(CHUNK):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for side in (source, sink):
            try:
                side.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            side.close()
