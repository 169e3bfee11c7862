using System.Reflection;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GrpcMesh.ServiceDefaults.Errors;

/// <summary>
/// grpc-dotnet deserializes the request before any interceptor runs, so malformed protobuf bytes surface as
/// UNKNOWN "Exception was thrown by handler". This replaces the default binder-based method provider with one
/// that binds the same generated methods but wraps each request deserializer: a parse failure becomes
/// INVALID_ARGUMENT with a clear message.
/// </summary>
public static class ParseFailureToInvalidArgument
{
    /// <summary>
    /// Swaps the method providers when the container is built, after every registration (a later
    /// <c>AddGrpc()</c> call re-adds grpc-dotnet's default provider, so swapping earlier is not enough).
    /// </summary>
    public static WebApplicationBuilder AddInvalidMessageMapping(this WebApplicationBuilder builder)
    {
        builder.Host.ConfigureContainer<IServiceCollection>((_, services) =>
        {
            // Only grpc-dotnet's own (binder) provider: others, such as JSON transcoding's routes, stay.
            for (var i = services.Count - 1; i >= 0; i--)
            {
                if (services[i].ServiceType == typeof(IServiceMethodProvider<>)
                    && services[i].ImplementationType?.Assembly == typeof(IServiceMethodProvider<>).Assembly)
                {
                    services.RemoveAt(i);
                }
            }

            services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IServiceMethodProvider<>), typeof(StrictBinderServiceMethodProvider<>)));
        });
        return builder;
    }

    internal static Marshaller<T> Wrap<T>(Marshaller<T> inner) =>
        new(inner.ContextualSerializer, context =>
        {
            try
            {
                return inner.ContextualDeserializer(context);
            }
            catch (InvalidProtocolBufferException ex)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"request message is not valid protobuf: {ex.Message}"));
            }
        });
}

/// <summary>Discovers methods like grpc-dotnet's BinderServiceMethodProvider (via the generated BindService).</summary>
internal sealed class StrictBinderServiceMethodProvider<TService> : IServiceMethodProvider<TService> where TService : class
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        var bindMethod = FindBindMethod(typeof(TService));
        if (bindMethod is null)
        {
            return;
        }

        var binder = new StrictServiceBinder<TService>(context);
        bindMethod.Invoke(null, [binder, null]);
    }

    private static MethodInfo? FindBindMethod(Type serviceType)
    {
        for (var type = serviceType; type is not null; type = type.BaseType)
        {
            var attribute = type.GetCustomAttribute<BindServiceMethodAttribute>(inherit: false);
            if (attribute is not null)
            {
                return attribute.BindType.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
                    .SingleOrDefault(m => m.Name == attribute.BindMethodName && m.GetParameters().Length == 2
                        && m.GetParameters()[0].ParameterType == typeof(ServiceBinderBase));
            }
        }

        return null;
    }
}

internal sealed class StrictServiceBinder<TService>(ServiceMethodProviderContext<TService> context) : ServiceBinderBase
    where TService : class
{
    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
    {
        var (strict, implementation, metadata) = Prepare(method, typeof(TRequest), typeof(ServerCallContext));
        context.AddUnaryMethod(strict, metadata, implementation.CreateDelegate<UnaryServerMethod<TService, TRequest, TResponse>>());
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var (strict, implementation, metadata) = Prepare(method, typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext));
        context.AddClientStreamingMethod(strict, metadata, implementation.CreateDelegate<ClientStreamingServerMethod<TService, TRequest, TResponse>>());
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var (strict, implementation, metadata) = Prepare(method, typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
        context.AddServerStreamingMethod(strict, metadata, implementation.CreateDelegate<ServerStreamingServerMethod<TService, TRequest, TResponse>>());
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var (strict, implementation, metadata) = Prepare(method, typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
        context.AddDuplexStreamingMethod(strict, metadata, implementation.CreateDelegate<DuplexStreamingServerMethod<TService, TRequest, TResponse>>());
    }

    private static (Method<TRequest, TResponse> Strict, MethodInfo Implementation, List<object> Metadata) Prepare<TRequest, TResponse>(
        Method<TRequest, TResponse> method, params Type[] parameterTypes)
        where TRequest : class
        where TResponse : class
    {
        var implementation = typeof(TService).GetMethod(method.Name, BindingFlags.Public | BindingFlags.Instance, parameterTypes)
            ?? throw new InvalidOperationException($"{typeof(TService)} has no method {method.Name}");

        // Same endpoint metadata grpc-dotnet collects: service type attributes, then method attributes (e.g. [Authorize]).
        var metadata = new List<object>(typeof(TService).GetCustomAttributes(inherit: true));
        metadata.AddRange(implementation.GetCustomAttributes(inherit: true));

        var strict = new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name,
            ParseFailureToInvalidArgument.Wrap(method.RequestMarshaller), method.ResponseMarshaller);
        return (strict, implementation, metadata);
    }
}
