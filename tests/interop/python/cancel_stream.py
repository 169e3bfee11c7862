"""Opens a server reflection stream, takes the first response and cancels the call (RST_STREAM CANCEL) with the
request side still open, the way grpcurl leaves its reflection stream when it is done. Prints one JSON object.

  cancel_stream.py TARGET [--api v1|v1alpha]
"""

import argparse
import threading

import grpc

from grpcmesh_interop import REFLECTION_PROTOS, code_name, compile_protos, emit, message_class


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("target")
    parser.add_argument("--api", choices=["v1", "v1alpha"], default="v1")
    options = parser.parse_args()

    proto, package = REFLECTION_PROTOS[options.api]
    pool = compile_protos(proto)
    request = message_class(pool, package + ".ServerReflectionRequest")
    response = message_class(pool, package + ".ServerReflectionResponse")
    done = threading.Event()

    def requests():
        yield request(list_services="")
        done.wait()

    with grpc.insecure_channel(options.target) as channel:
        stream = channel.stream_stream(
            "/%s.ServerReflection/ServerReflectionInfo" % package,
            request_serializer=lambda message: message.SerializeToString(),
            response_deserializer=response.FromString,
        )
        call = stream(requests(), timeout=30)
        call.add_done_callback(lambda _: done.set())
        first = next(call)
        call.cancel()
        try:
            for _ in call:
                pass
            ended = "OK"
        except grpc.RpcError as error:
            ended = code_name(error)
        emit({"services": len(first.list_services_response.service), "ended": ended})


if __name__ == "__main__":
    main()
