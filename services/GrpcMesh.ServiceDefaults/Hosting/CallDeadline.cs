using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace GrpcMesh.ServiceDefaults.Hosting;

/// <summary>
/// A call's deadline: the one grpc-dotnet read from <c>grpc-timeout</c>, or for a JSON call on the HTTP edge the one the
/// edge read from the same header (JSON transcoding leaves <see cref="ServerCallContext.Deadline"/> at
/// <see cref="DateTime.MaxValue"/>); <see cref="DateTime.MaxValue"/> when the call has none.
/// </summary>
internal static class CallDeadline
{
    private const string ItemKey = "grpcmesh.deadline";

    public static DateTime Of(ServerCallContext context) =>
        context.Deadline == DateTime.MaxValue && context.UserState.TryGetValue(ItemKey, out var item) && item is DateTime deadline
            ? deadline
            : context.Deadline;

    /// <summary>Records the deadline of a request that reaches its handler without grpc-dotnet's own (a JSON call).</summary>
    public static void Set(HttpContext http, DateTime deadline) => http.Items[ItemKey] = deadline;
}
