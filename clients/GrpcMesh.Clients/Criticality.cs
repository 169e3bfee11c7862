using Grpc.Core;
using Grpc.Core.Interceptors;

namespace GrpcMesh.Clients;

/// <summary>
/// How much a call matters when its callee is overloaded, carried in <see cref="Header"/>: <c>critical</c> (the default,
/// also when the header is absent) or <c>sheddable</c> (prefetches, batch work: refused first, before any critical call).
/// A GrpcMesh client sends the criticality of the server call it is made from, so downstream work inherits it.
/// </summary>
public static class Criticality
{
    public const string Header = "grpcmesh-criticality";
    public const string Critical = "critical";
    public const string Sheddable = "sheddable";

    /// <summary>Whether <paramref name="headers"/> mark the call sheddable.</summary>
    public static bool IsSheddable(Metadata? headers) => IsSheddable(headers?.GetValue(Header));

    /// <summary>Whether <paramref name="headerValue"/>, the value of <see cref="Header"/> (null when absent), marks the call sheddable.</summary>
    public static bool IsSheddable(string? headerValue) => string.Equals(headerValue, Sheddable, StringComparison.OrdinalIgnoreCase);

    /// <summary>Call headers that mark a call sheddable (add them to your own, or pass them as the call's headers).</summary>
    public static Metadata SheddableHeaders() => new() { { Header, Sheddable } };

    /// <summary>
    /// <paramref name="context"/> with the criticality of <paramref name="incoming"/> (the server call this call is made
    /// from) when that one is sheddable and the call does not say otherwise.
    /// </summary>
    internal static ClientInterceptorContext<TRequest, TResponse> Inherit<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, ServerCallContext? incoming)
        where TRequest : class
        where TResponse : class
    {
        if (incoming is null || !IsSheddable(incoming.RequestHeaders) || context.Options.Headers?.Get(Header) is not null)
        {
            return context;
        }

        return CallHeaders.With(context, Header, Sheddable);
    }
}
