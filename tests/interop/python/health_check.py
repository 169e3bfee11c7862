"""Usage: health_check.py TARGET [--metadata KEY=VALUE]... SERVICE...

Prints {"service": name, "status": SERVING|NOT_SERVING|NOT_FOUND|...} per line.
"""

import argparse

import grpc

from grpcmesh_interop import HealthClient, emit


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("target")
    parser.add_argument("--metadata", action="append", default=[], help="KEY=VALUE sent with every call")
    parser.add_argument("services", nargs="*")
    options = parser.parse_intermixed_args()
    metadata = [tuple(item.split("=", 1)) for item in options.metadata]

    with grpc.insecure_channel(options.target) as channel:
        health = HealthClient(channel)
        for service in options.services:
            emit({"service": service, "status": health.check(service, metadata=metadata)})


if __name__ == "__main__":
    main()
