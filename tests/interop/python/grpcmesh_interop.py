"""Helpers for GrpcMesh's interop checks: a plain grpcio client that knows no GrpcMesh .proto files.

Message types come from descriptors at run time: either compiled from Debian's grpc-proto files
(grpc.health.v1, grpc.reflection.v1/v1alpha) with grpc_tools.protoc, or fetched from the server through
server reflection, the way grpcurl works.
"""

import functools
import json
import os
import queue
import sys
import tempfile
import threading

try:
    import grpc
    import grpc_tools
    from grpc_tools import protoc
    from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory
except ImportError as exc:  # pragma: no cover - reported to the .NET test as a clear failure
    sys.stderr.write(
        "python3 modules for gRPC are missing (%s); install them with: "
        "apt-get install -y python3-grpcio python3-grpc-tools grpc-proto\n" % exc
    )
    sys.exit(3)

GRPC_PROTO_ROOT = os.environ.get("GRPC_PROTO_ROOT", "/usr/share/grpc-proto")
HEALTH_PROTO = "grpc/health/v1/health.proto"
REFLECTION_PROTOS = {
    "v1": ("grpc/reflection/v1/reflection.proto", "grpc.reflection.v1"),
    "v1alpha": ("grpc/reflection/v1alpha/reflection.proto", "grpc.reflection.v1alpha"),
}


def emit(obj):
    """Prints one JSON object per line; the .NET test reads these."""
    sys.stdout.write(json.dumps(obj, sort_keys=True) + "\n")
    sys.stdout.flush()


@functools.lru_cache(maxsize=None)
def compile_protos(*files):
    """Compiles .proto files under GRPC_PROTO_ROOT into a descriptor pool (once per set of files)."""
    if not os.path.isdir(GRPC_PROTO_ROOT):
        sys.stderr.write("%s not found; install it with: apt-get install -y grpc-proto\n" % GRPC_PROTO_ROOT)
        sys.exit(3)
    well_known = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "descriptors.pb")
        args = ["protoc", "-I" + GRPC_PROTO_ROOT, "-I" + well_known, "--include_imports", "--descriptor_set_out=" + out]
        if protoc.main(args + list(files)) != 0:
            raise RuntimeError("protoc failed for %s" % (files,))
        with open(out, "rb") as handle:
            descriptor_set = descriptor_pb2.FileDescriptorSet.FromString(handle.read())
    return pool_from_files(descriptor_set.file)


def pool_from_files(files):
    """Adds FileDescriptorProtos to a new pool, dependencies first."""
    by_name = {f.name: f for f in files}
    pool = descriptor_pool.DescriptorPool()
    added = set()

    def add(name):
        if name in added:
            return
        proto = by_name.get(name)
        if proto is None:
            raise KeyError("descriptor for %s was not provided" % name)
        for dependency in proto.dependency:
            add(dependency)
        pool.AddSerializedFile(proto.SerializeToString())
        added.add(name)

    for name in by_name:
        add(name)
    return pool


def message_class(pool, full_name):
    descriptor = pool.FindMessageTypeByName(full_name)
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(pool).GetPrototype(descriptor)


def unary(channel, pool, service, method):
    """A callable for /service/method built from the pool's descriptors."""
    method_descriptor = pool.FindServiceByName(service).FindMethodByName(method)
    request_class = message_class(pool, method_descriptor.input_type.full_name)
    response_class = message_class(pool, method_descriptor.output_type.full_name)
    call = channel.unary_unary(
        "/%s/%s" % (service, method),
        request_serializer=lambda message: message.SerializeToString(),
        response_deserializer=response_class.FromString,
    )
    return request_class, call


def code_name(error):
    return error.code().name if isinstance(error, grpc.RpcError) else type(error).__name__


class HealthClient:
    """grpc.health.v1.Health from Debian's health.proto."""

    def __init__(self, channel):
        pool = compile_protos(HEALTH_PROTO)
        self._request, self._check = unary(channel, pool, "grpc.health.v1.Health", "Check")
        response = message_class(pool, "grpc.health.v1.HealthCheckResponse")
        self._status_names = {v.number: v.name for v in response.DESCRIPTOR.enum_types_by_name["ServingStatus"].values}
        self._watch = channel.unary_stream(
            "/grpc.health.v1.Health/Watch",
            request_serializer=lambda message: message.SerializeToString(),
            response_deserializer=response.FromString,
        )

    def check(self, service, timeout=5, metadata=None):
        """Returns SERVING/NOT_SERVING/... or the gRPC error code name (e.g. NOT_FOUND)."""
        try:
            return self._status_names[self._check(self._request(service=service), timeout=timeout, metadata=metadata).status]
        except grpc.RpcError as error:
            return code_name(error)

    def watch(self, service, timeout=None):
        """Yields statuses from a Watch stream until it ends."""
        for response in self._watch(self._request(service=service), timeout=timeout):
            yield self._status_names[response.status]


class ReflectionClient:
    """grpc.reflection ServerReflectionInfo (v1 or v1alpha), as grpcurl uses it."""

    def __init__(self, channel, api="v1"):
        proto, package = REFLECTION_PROTOS[api]
        pool = compile_protos(proto)
        self._request = message_class(pool, package + ".ServerReflectionRequest")
        response = message_class(pool, package + ".ServerReflectionResponse")
        self._channel = channel
        self._stream = channel.stream_stream(
            "/%s.ServerReflection/ServerReflectionInfo" % package,
            request_serializer=lambda message: message.SerializeToString(),
            response_deserializer=response.FromString,
        )

    def _ask(self, **request):
        responses = list(self._stream(iter([self._request(**request)]), timeout=10))
        if len(responses) != 1:
            raise RuntimeError("expected one reflection response, got %d" % len(responses))
        response = responses[0]
        if response.WhichOneof("message_response") == "error_response":
            raise LookupError("reflection error %d: %s" % (response.error_response.error_code, response.error_response.error_message))
        return response

    def list_services(self):
        return sorted(s.name for s in self._ask(list_services="").list_services_response.service)

    def files_for_symbol(self, symbol):
        """FileDescriptorProtos defining symbol, with every dependency (fetched by file name when missing)."""
        files = {}
        self._collect(self._ask(file_containing_symbol=symbol), files)
        missing = self._missing(files)
        while missing:
            for name in missing:
                self._collect(self._ask(file_by_filename=name), files)
            missing = self._missing(files)
        return files

    @staticmethod
    def _collect(response, files):
        for raw in response.file_descriptor_response.file_descriptor_proto:
            proto = descriptor_pb2.FileDescriptorProto.FromString(raw)
            files[proto.name] = proto

    @staticmethod
    def _missing(files):
        return sorted({d for f in files.values() for d in f.dependency if d not in files})

    def pool_for_service(self, service):
        return pool_from_files(self.files_for_symbol(service).values())

    def call_json(self, full_method, request_json, timeout=10, metadata=None):
        """Invokes 'package.Service/Method' with a JSON request, like `grpcurl -d JSON host service/method`."""
        service, method = full_method.rsplit("/", 1)
        pool = self.pool_for_service(service)
        request_class, call = unary(self._channel, pool, service, method)
        request = json_format.Parse(request_json, request_class())
        return json_format.MessageToDict(call(request, timeout=timeout, metadata=metadata))

    def describe(self, symbol):
        """A service (its methods) or a message (its fields), as `grpcurl describe SYMBOL` shows it."""
        pool = pool_from_files(self.files_for_symbol(symbol).values())
        try:
            service = pool.FindServiceByName(symbol)
        except KeyError:
            message = pool.FindMessageTypeByName(symbol)
            return {"message": message.full_name, "fields": [f.name for f in message.fields]}
        return {
            "service": service.full_name,
            "file": service.file.name,
            "methods": {m.name: {"input": m.input_type.full_name, "output": m.output_type.full_name} for m in service.methods},
        }

    def invoke_json(self, full_method, request_json, metadata=None, timeout=10, stream_quiet=2.0, stream_max=100):
        """grpcurl's call: the request parsed with the proto3 JSON mapping (json_format.Parse, as strict as grpcurl's),
        responses printed with the proto field names. Returns the list of responses; raises grpc.RpcError.
        A server stream is read until it ends, stream_max messages arrived, or it stayed quiet for stream_quiet seconds
        (grpcurl itself would wait for more until Ctrl+C); it is then cancelled."""
        service, method = full_method.rsplit("/" if "/" in full_method else ".", 1)
        pool = self.pool_for_service(service)
        descriptor = pool.FindServiceByName(service).FindMethodByName(method)
        if descriptor.client_streaming:
            raise NotImplementedError("client streaming (%s) is not supported by this runner" % full_method)
        request = json_format.Parse(request_json or "{}", message_class(pool, descriptor.input_type.full_name)())
        response_class = message_class(pool, descriptor.output_type.full_name)
        path = "/%s/%s" % (service, method)
        serialize = lambda message: message.SerializeToString()
        to_dict = lambda message: json_format.MessageToDict(message, preserving_proto_field_name=True)
        if not descriptor.server_streaming:
            call = self._channel.unary_unary(path, request_serializer=serialize, response_deserializer=response_class.FromString)
            return [to_dict(call(request, timeout=timeout, metadata=metadata))]
        call = self._channel.unary_stream(path, request_serializer=serialize, response_deserializer=response_class.FromString)
        return [to_dict(m) for m in read_stream(call(request, metadata=metadata), stream_quiet, stream_max)]


def read_stream(call, quiet, maximum):
    """Messages of a server stream until it ends, `maximum` arrived, or none came for `quiet` seconds; then cancels it."""
    arrived = queue.Queue()

    def pump():
        try:
            for message in call:
                arrived.put(("message", message))
            arrived.put(("end", None))
        except grpc.RpcError as error:
            arrived.put(("error", error))

    threading.Thread(target=pump, daemon=True).start()
    messages = []
    while len(messages) < maximum:
        try:
            kind, value = arrived.get(timeout=quiet)
        except queue.Empty:
            break
        if kind == "end":
            return messages
        if kind == "error":
            raise value
        messages.append(value)
    call.cancel()
    return messages
