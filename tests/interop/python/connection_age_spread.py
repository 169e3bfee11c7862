"""One grpcio channel through a kube-proxy-like TCP balancer while the service scales from 1 to 3 replicas.

  connection_age_spread.py --backends H:P,H:P,H:P --metrics URL,URL,URL --max-age S [--window-ages N] [--workers N] [--pause S]

The balancer hands each new TCP connection to the next active backend in turn (as a Kubernetes Service does per
connection, never per call). Timeline: calls (Health.Check "liveness") run on one channel with only the first backend
active; then all backends become active ("scale-out"); after 2 x max-age the calls each replica served over the next
N max-ages are counted from the replicas' own Prometheus metrics. Workers pause between calls, as a client that does not
saturate its servers: each replica's share of calls is then its share of the time, not of its speed. Without a connection age the channel would keep its
first connection, and so its first replica, for ever.
Prints one JSON summary line; the .NET test asserts on it.
"""

import argparse
import re
import socket
import threading
import time
import urllib.request

from grpcmesh_interop import HealthClient, code_name, emit

import grpc

CHECK_COUNT = re.compile(
    r'^rpc_server_call_duration_seconds_count\{(?=[^}]*rpc_service="grpc\.health\.v1\.Health")(?=[^}]*rpc_method="Check")[^}]*\} (\S+)',
    re.MULTILINE)


class Balancer:
    """Round-robin per TCP connection over the first `active` backends."""

    def __init__(self, backends):
        self._backends = backends
        self._lock = threading.Lock()
        self._next = 0
        self.active = 1
        self.connections = [0] * len(backends)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.target = "127.0.0.1:%d" % self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            client, _ = self._listener.accept()
            with self._lock:
                index = self._next % self.active
                self._next += 1
                self.connections[index] += 1
            host, port = self._backends[index].rsplit(":", 1)
            upstream = socket.create_connection((host, int(port)))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _pump(source, sink):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    finally:
        try:
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def check_calls(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        text = response.read().decode()
    return sum(float(value) for value in CHECK_COUNT.findall(text))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--backends", required=True)
    parser.add_argument("--metrics", required=True)
    parser.add_argument("--max-age", type=float, required=True)
    parser.add_argument("--window-ages", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--pause", type=float, default=0.01, help="seconds each worker waits between calls")
    args = parser.parse_args()
    backends = args.backends.split(",")
    metrics = args.metrics.split(",")

    balancer = Balancer(backends)
    channel = grpc.insecure_channel(balancer.target)
    health = HealthClient(channel)
    stop = threading.Event()
    ok = [0]
    failures = []
    lock = threading.Lock()

    def worker():
        while not stop.is_set():
            try:
                status = health.check("liveness")
                with lock:
                    if status == "SERVING":
                        ok[0] += 1
                    else:
                        failures.append(status)
            except grpc.RpcError as error:
                with lock:
                    failures.append("%s: %s" % (code_name(error), error.details()))
            stop.wait(args.pause)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(args.workers)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    balancer.active = len(backends)
    time.sleep(2 * args.max_age)
    before = [check_calls(url) for url in metrics]
    window_start = time.monotonic()
    time.sleep(args.window_ages * args.max_age)
    after = [check_calls(url) for url in metrics]
    window = time.monotonic() - window_start
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    channel.close()

    calls = [a - b for a, b in zip(after, before)]
    total = sum(calls)
    emit({
        "calls": calls,
        "shares": [c / total if total else 0 for c in calls],
        "window_seconds": round(window, 2),
        "connections": balancer.connections,
        "ok": ok[0],
        "failures": failures[:20],
        "failure_count": len(failures),
    })


if __name__ == "__main__":
    main()
