using System.Collections.Frozen;
using Google.Protobuf.Reflection;
using GrpcMesh.Clients.Options;

namespace GrpcMesh.Clients.Resilience;

/// <summary>
/// Per-method policies of one service keyed by gRPC path. Idempotency comes from the proto's
/// <c>idempotency_level</c> option and the request's <c>request_id</c> field, read from the generated descriptors.
/// </summary>
internal sealed class MethodPolicies
{
    /// <summary>Name of the request field that carries an idempotency key.</summary>
    public const string IdempotencyKeyField = "request_id";

    private readonly FrozenDictionary<string, MethodPolicy> _byPath;
    private readonly MethodPolicy _unknownUnary;
    private readonly MethodPolicy _unknownStreaming;

    public MethodPolicies(ServiceDescriptor service, GrpcMeshClientOptions options)
    {
        var policies = new Dictionary<string, MethodPolicy>(StringComparer.Ordinal);
        foreach (var method in service.Methods)
        {
            var path = PathOf(method);
            var level = method.GetOptions()?.IdempotencyLevel ?? MethodOptions.Types.IdempotencyLevel.IdempotencyUnknown;
            var idempotent = level is MethodOptions.Types.IdempotencyLevel.NoSideEffects or MethodOptions.Types.IdempotencyLevel.Idempotent;
            var key = method.InputType.FindFieldByName(IdempotencyKeyField);
            if (key is { FieldType: not FieldType.String } or { IsRepeated: true })
            {
                key = null;
            }

            var streaming = method.IsClientStreaming || method.IsServerStreaming;
            var deadline = ForMethod(options.MethodDeadlines, method) ?? (streaming ? options.DefaultStreamingDeadline : options.DefaultDeadline);
            var perAttempt = ForMethod(options.Retry.MethodPerAttemptTimeouts, method) ?? options.Retry.PerAttemptTimeout;
            policies[path] = new MethodPolicy(path, idempotent, key, deadline, level == MethodOptions.Types.IdempotencyLevel.NoSideEffects, perAttempt);
        }

        _byPath = policies.ToFrozenDictionary(StringComparer.Ordinal);
        _unknownUnary = new MethodPolicy("", false, null, options.DefaultDeadline, perAttemptTimeout: options.Retry.PerAttemptTimeout);
        _unknownStreaming = new MethodPolicy("", false, null, options.DefaultStreamingDeadline);
    }

    /// <summary>The policy of <paramref name="path"/>; a method the descriptor does not know is treated as non-idempotent.</summary>
    public MethodPolicy Get(string path, bool streaming) =>
        _byPath.TryGetValue(path, out var policy) ? policy : streaming ? _unknownStreaming : _unknownUnary;

    /// <summary>The value <paramref name="byMethod"/> gives <paramref name="method"/>, keyed by its name or its gRPC path.</summary>
    private static TimeSpan? ForMethod(Dictionary<string, TimeSpan> byMethod, MethodDescriptor method) =>
        byMethod.TryGetValue(method.Name, out var byName) ? byName
        : byMethod.TryGetValue(PathOf(method), out var byPath) ? byPath
        : null;

    public static string PathOf(MethodDescriptor method) => $"/{method.Service.FullName}/{method.Name}";

    /// <summary>Finds a method by name (<c>GetUser</c>) or gRPC path (<c>/grpcmesh.user.v1.UserService/GetUser</c>).</summary>
    public static MethodDescriptor? FindMethod(ServiceDescriptor service, string nameOrPath) =>
        service.FindMethodByName(nameOrPath)
        ?? service.Methods.FirstOrDefault(m => string.Equals(PathOf(m), nameOrPath, StringComparison.Ordinal));
}
