"""A small grpcurl over server reflection. Prints one JSON object per line.

  grpc_reflect.py TARGET [--api v1|v1alpha] list
  grpc_reflect.py TARGET [--api v1|v1alpha] describe SERVICE
  grpc_reflect.py TARGET [--api v1|v1alpha] [--metadata KEY=VALUE]... call SERVICE/METHOD JSON

Metadata (e.g. authorization=Bearer ...) goes with the call only; reflection itself needs none.
"""

import argparse

import grpc

from grpcmesh_interop import ReflectionClient, code_name, emit


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("target")
    parser.add_argument("--api", choices=["v1", "v1alpha"], default="v1")
    parser.add_argument("--metadata", action="append", default=[], help="KEY=VALUE sent with the call")
    parser.add_argument("command", choices=["list", "describe", "call"])
    parser.add_argument("args", nargs="*")
    options = parser.parse_args()

    with grpc.insecure_channel(options.target) as channel:
        try:
            run(ReflectionClient(channel, options.api), options)
        except grpc.RpcError as error:
            emit({"error": code_name(error), "message": error.details()})


def run(reflection, options):
    if options.command == "list":
        emit({"services": reflection.list_services()})
    elif options.command == "describe":
        emit(reflection.describe(options.args[0]))
    else:
        metadata = [tuple(item.split("=", 1)) for item in options.metadata]
        emit({"response": reflection.call_json(options.args[0], options.args[1], metadata=metadata)})


if __name__ == "__main__":
    main()
