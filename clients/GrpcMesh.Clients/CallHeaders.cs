using Grpc.Core;
using Grpc.Core.Interceptors;

namespace GrpcMesh.Clients;

/// <summary>Call contexts with one header set, the caller's own headers left as they were (copied, never mutated).</summary>
internal static class CallHeaders
{
    /// <summary><paramref name="context"/> whose headers are a copy of its own without <paramref name="key"/>, plus <paramref name="key"/>: <paramref name="value"/>.</summary>
    public static ClientInterceptorContext<TRequest, TResponse> With<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, string key, string value)
        where TRequest : class
        where TResponse : class
    {
        var headers = new Metadata();
        foreach (var entry in context.Options.Headers ?? [])
        {
            if (!string.Equals(entry.Key, key, StringComparison.Ordinal))
            {
                headers.Add(entry);
            }
        }

        headers.Add(key, value);
        return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithHeaders(headers));
    }
}
