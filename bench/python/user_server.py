#!/usr/bin/env python3
"""GetUser/CreateUser from an in-memory map on Debian's python3-grpcio: the Python point of comparison.

Same proto and same semantics as bench/GrpcMesh.Bench.BaselineServer. The stubs are generated at start-up from
protos/ with grpc_tools.protoc into a temporary directory, so nothing generated is checked in.

    /usr/bin/python3 bench/python/user_server.py --port 50051 [--mode aio|sync] [--workers 16]
"""
import argparse
import asyncio
import importlib
import itertools
import os
import signal
import sys
import tempfile
import threading
from concurrent import futures

import grpc
import grpc_tools
from grpc_tools import protoc

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PROTO_ROOT = os.path.join(REPO_ROOT, "protos")
# google/api: the google.api.http options user_service.proto imports (copies under protos/google/api).
PROTO_FILES = ["google/api/http.proto", "google/api/annotations.proto",
               "grpcmesh/common/v1/money.proto", "grpcmesh/user/v1/user_service.proto"]


def generate_stubs(out_dir):
    well_known = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    args = ["grpc_tools.protoc", f"-I{PROTO_ROOT}", f"-I{well_known}",
            f"--python_out={out_dir}", f"--grpc_python_out={out_dir}", *PROTO_FILES]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed for " + ", ".join(PROTO_FILES))
    sys.path.insert(0, out_dir)
    return (importlib.import_module("grpcmesh.user.v1.user_service_pb2"),
            importlib.import_module("grpcmesh.user.v1.user_service_pb2_grpc"))


def make_servicer(pb2, pb2_grpc):
    class InMemoryUsers(pb2_grpc.UserServiceServicer):
        def __init__(self):
            self._users = {}
            self._ids = itertools.count(1)
            self._lock = threading.Lock()

        def _create(self, request):
            with self._lock:
                user_id = "usr_%08d" % next(self._ids)
            user = pb2.User(id=user_id, email=request.email, display_name=request.display_name,
                            status=pb2.USER_STATUS_ACTIVE, etag="1")
            user.credit_limit.CopyFrom(request.credit_limit)
            user.available_credit.CopyFrom(request.credit_limit)
            user.create_time.GetCurrentTime()
            user.update_time.CopyFrom(user.create_time)
            self._users[user_id] = user
            return pb2.CreateUserResponse(user=user)

        def _get(self, request):
            return self._users.get(request.user_id)

    class SyncServicer(InMemoryUsers):
        def CreateUser(self, request, context):
            return self._create(request)

        def GetUser(self, request, context):
            user = self._get(request)
            if user is None:
                context.abort(grpc.StatusCode.NOT_FOUND, "user '%s' not found" % request.user_id)
            return pb2.GetUserResponse(user=user)

    class AsyncServicer(InMemoryUsers):
        async def CreateUser(self, request, context):
            return self._create(request)

        async def GetUser(self, request, context):
            user = self._get(request)
            if user is None:
                await context.abort(grpc.StatusCode.NOT_FOUND, "user '%s' not found" % request.user_id)
            return pb2.GetUserResponse(user=user)

    return SyncServicer, AsyncServicer


def serve_sync(servicer, pb2_grpc, address, workers):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=workers))
    pb2_grpc.add_UserServiceServicer_to_server(servicer, server)
    if server.add_insecure_port(address) == 0:
        raise SystemExit("could not bind " + address)
    server.start()
    print("listening on %s (grpcio %s, sync, %d workers)" % (address, grpc.__version__, workers), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    server.stop(grace=1).wait()


async def serve_aio(servicer, pb2_grpc, address):
    server = grpc.aio.server()
    pb2_grpc.add_UserServiceServicer_to_server(servicer, server)
    if server.add_insecure_port(address) == 0:
        raise SystemExit("could not bind " + address)
    await server.start()
    print("listening on %s (grpcio %s, asyncio)" % (address, grpc.__version__), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.stop(grace=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--mode", choices=["aio", "sync"], default="aio")
    parser.add_argument("--workers", type=int, default=16, help="thread pool size in sync mode")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="grpcmesh-pystubs-") as out_dir:
        pb2, pb2_grpc = generate_stubs(out_dir)
        sync_servicer, async_servicer = make_servicer(pb2, pb2_grpc)
        address = "%s:%d" % (options.host, options.port)
        if options.mode == "sync":
            serve_sync(sync_servicer(), pb2_grpc, address, options.workers)
        else:
            asyncio.run(serve_aio(async_servicer(), pb2_grpc, address))


if __name__ == "__main__":
    main()
