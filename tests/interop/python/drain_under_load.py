"""SIGTERM a GrpcMesh service while calls run, and report what clients saw.

  drain_under_load.py TARGET PID --drain-seconds D [--load health|user] [--workers N] [--streams N]

Timeline (t0 = SIGTERM):
  before t0      unary workers and long reflection streams run; a health Watch("") is open
  t0             SIGTERM is sent to PID
  t0 ..          Check("") is polled until NOT_SERVING (time reported)
  t0 .. 0.6*D    unary workers keep starting new calls (the service is still serving during the drain)
  then           new connections are tried until one is refused: the service has closed its listeners
                 (time reported); the reflection streams, still open, send a last request and half-close:
                 each must end OK with every response received
Prints one JSON summary line; the .NET test asserts on it.
"""

import argparse
import itertools
import os
import signal
import threading
import time
import uuid

import grpc

from grpcmesh_interop import HealthClient, ReflectionClient, code_name, emit, message_class, unary


class UnaryLoad:
    def __init__(self, target, kind):
        self.channel = grpc.insecure_channel(target)
        if kind == "health":
            health = HealthClient(self.channel)
            self.call = lambda: health.check("liveness") == "SERVING" or _raise("liveness not SERVING")
        else:
            self.call = _user_calls(self.channel)
        self.ok = 0
        self.failures = []
        self.ok_after_sigterm = 0


def _raise(message):
    raise RuntimeError(message)


def _user_calls(channel):
    """CreateUser then GetUser, with message types taken from the server by reflection."""
    pool = ReflectionClient(channel).pool_for_service("grpcmesh.user.v1.UserService")
    create_request, create = unary(channel, pool, "grpcmesh.user.v1.UserService", "CreateUser")
    get_request, get = unary(channel, pool, "grpcmesh.user.v1.UserService", "GetUser")
    money = message_class(pool, "grpcmesh.common.v1.Money")

    def call():
        email = "drain-%s@example.com" % uuid.uuid4().hex
        created = create(create_request(email=email, display_name="Drain", credit_limit=money(currency_code="EUR", units=100)), timeout=10)
        fetched = get(get_request(user_id=created.user.id), timeout=10)
        if fetched.user.email != email:
            raise RuntimeError("GetUser returned %r, expected %r" % (fetched.user.email, email))
        return True

    return call


def run_worker(load, stop, sigterm_sent):
    while not stop.is_set():
        try:
            load.call()
            load.ok += 1
            if sigterm_sent.is_set():
                load.ok_after_sigterm += 1
        except Exception as error:  # every failure is reported, none is expected
            load.failures.append(code_name(error) + ": " + str(error)[:200])


class ReflectionStream:
    """One ServerReflectionInfo call kept open across the shutdown."""

    def __init__(self, target):
        self.channel = grpc.insecure_channel(target)
        self.client = ReflectionClient(self.channel)
        self.responses = 0
        self.sent = 0
        self.status = None
        self.end = threading.Event()

    def requests(self):
        request = self.client._request(list_services="")
        while True:
            self.sent += 1
            yield request
            if self.end.wait(0.1):
                self.sent += 1
                yield request  # one last request after the listeners have closed
                return

    def run(self):
        try:
            for response in self.client._stream(self.requests(), timeout=60):
                if response.list_services_response.service:
                    self.responses += 1
            self.status = "OK"
        except grpc.RpcError as error:
            self.status = code_name(error)


def accepts_connections(target):
    """True when a call on a brand-new connection succeeds."""
    with grpc.insecure_channel(target) as channel:
        return HealthClient(channel).check("liveness", timeout=1) == "SERVING"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("target")
    parser.add_argument("pid", type=int)
    parser.add_argument("--drain-seconds", type=float, required=True)
    parser.add_argument("--load", choices=["health", "user"], default="health")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--streams", type=int, default=2)
    options = parser.parse_args()

    stop, sigterm_sent = threading.Event(), threading.Event()
    loads = [UnaryLoad(options.target, options.load) for _ in range(options.workers)]
    workers = [threading.Thread(target=run_worker, args=(load, stop, sigterm_sent), daemon=True) for load in loads]
    streams = [ReflectionStream(options.target) for _ in range(options.streams)]
    stream_threads = [threading.Thread(target=s.run, daemon=True) for s in streams]
    probe_channel = grpc.insecure_channel(options.target)
    probe = HealthClient(probe_channel)
    watched = []
    watch_thread = threading.Thread(target=lambda: watched.extend(probe.watch("", timeout=60)), daemon=True)
    for thread in itertools.chain(workers, stream_threads, [watch_thread]):
        thread.start()

    warm_up_until = time.monotonic() + 20
    while not (all(l.ok >= 3 for l in loads) and all(s.responses >= 2 for s in streams) and watched):
        if time.monotonic() > warm_up_until or any(l.failures for l in loads):
            stop.set()
            emit({"error": "warm-up failed", "ok": [l.ok for l in loads], "failures": [f for l in loads for f in l.failures],
                  "stream_responses": [s.responses for s in streams], "watched": watched})
            return
        time.sleep(0.02)

    t0 = time.monotonic()
    os.kill(options.pid, signal.SIGTERM)
    sigterm_sent.set()

    not_serving_after = None
    while time.monotonic() - t0 < 5:
        if probe.check("", timeout=2) == "NOT_SERVING":
            not_serving_after = time.monotonic() - t0
            break
        time.sleep(0.02)

    time.sleep(max(0.0, t0 + 0.6 * options.drain_seconds - time.monotonic()))
    stop.set()
    for thread in workers:
        thread.join(30)

    listeners_closed_after = None
    while time.monotonic() - t0 < options.drain_seconds + 20:
        if not accepts_connections(options.target):
            listeners_closed_after = time.monotonic() - t0
            break
        time.sleep(0.05)

    for stream in streams:
        stream.end.set()
    for thread in stream_threads:
        thread.join(30)
    watch_thread.join(5)

    emit({
        "not_serving_after_seconds": not_serving_after,
        "listeners_closed_after_seconds": listeners_closed_after,
        "unary_ok": sum(l.ok for l in loads),
        "unary_ok_after_sigterm": sum(l.ok_after_sigterm for l in loads),
        "unary_failures": [f for l in loads for f in l.failures],
        "streams": [{"status": s.status, "sent": s.sent, "responses": s.responses} for s in streams],
        "watch": watched,
        "watch_ended": not watch_thread.is_alive(),
    })


if __name__ == "__main__":
    main()
