using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Grpc.Net.ClientFactory;
using GrpcMesh.Clients;
using GrpcMesh.Clients.Auth;
using GrpcMesh.Clients.Balancing;
using GrpcMesh.Clients.Context;
using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Resilience;
using GrpcMesh.Clients.Telemetry;
using GrpcMesh.Clients.Tls;
using GrpcMesh.Order.V1;
using GrpcMesh.User.V1;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ProtoServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers GrpcMesh's generated clients through Grpc.Net.ClientFactory with one interceptor that applies, outermost
/// first, the deadline, retry (budgeted) and circuit breaker (see <see cref="ResilienceInterceptor"/>). Options come from <c>Clients:&lt;Service&gt;</c> of the host's
/// <see cref="IConfiguration"/> (or the one passed in), then from <c>configure</c>; they are validated on start.
/// The returned builder can replace the primary handler (e.g. <c>.ConfigurePrimaryHttpMessageHandler(() =&gt; testServer.CreateHandler())</c>)
/// or add HTTP handlers.
/// </summary>
public static class GrpcMeshClientServiceCollectionExtensions
{
    /// <summary>Default address of UserService.</summary>
    public static readonly Uri UserServiceDefaultAddress = new("http://127.0.0.1:5001");

    /// <summary>Default address of OrderService.</summary>
    public static readonly Uri OrderServiceDefaultAddress = new("http://127.0.0.1:5002");

    /// <summary>Registers <see cref="UserService.UserServiceClient"/>, bound to <c>Clients:UserService</c> of the host configuration.</summary>
    public static IHttpClientBuilder AddUserServiceClient(this IServiceCollection services, Action<GrpcMeshClientOptions>? configure = null) =>
        services.AddGrpcMeshClient<UserService.UserServiceClient>(GrpcMeshClientNames.UserService, UserService.Descriptor, UserServiceDefaultAddress, null, configure);

    /// <summary>Registers <see cref="UserService.UserServiceClient"/>, bound to <c>Clients:UserService</c> of <paramref name="configuration"/>.</summary>
    public static IHttpClientBuilder AddUserServiceClient(this IServiceCollection services, IConfiguration configuration, Action<GrpcMeshClientOptions>? configure = null) =>
        services.AddGrpcMeshClient<UserService.UserServiceClient>(GrpcMeshClientNames.UserService, UserService.Descriptor, UserServiceDefaultAddress, configuration, configure);

    /// <summary>Registers <see cref="OrderService.OrderServiceClient"/>, bound to <c>Clients:OrderService</c> of the host configuration.</summary>
    public static IHttpClientBuilder AddOrderServiceClient(this IServiceCollection services, Action<GrpcMeshClientOptions>? configure = null) =>
        services.AddGrpcMeshClient<OrderService.OrderServiceClient>(GrpcMeshClientNames.OrderService, OrderService.Descriptor, OrderServiceDefaultAddress, null, configure);

    /// <summary>Registers <see cref="OrderService.OrderServiceClient"/>, bound to <c>Clients:OrderService</c> of <paramref name="configuration"/>.</summary>
    public static IHttpClientBuilder AddOrderServiceClient(this IServiceCollection services, IConfiguration configuration, Action<GrpcMeshClientOptions>? configure = null) =>
        services.AddGrpcMeshClient<OrderService.OrderServiceClient>(GrpcMeshClientNames.OrderService, OrderService.Descriptor, OrderServiceDefaultAddress, configuration, configure);

    /// <summary>
    /// Registers a generated client <typeparamref name="TClient"/> of <paramref name="service"/> under <paramref name="name"/>
    /// with the GrpcMesh pipeline. <paramref name="configuration"/>: the app configuration whose <c>Clients:&lt;name&gt;</c>
    /// section is bound; null binds the host's <see cref="IConfiguration"/> when one is registered.
    /// </summary>
    public static IHttpClientBuilder AddGrpcMeshClient<TClient>(
        this IServiceCollection services,
        string name,
        ProtoServiceDescriptor service,
        Uri defaultAddress,
        IConfiguration? configuration = null,
        Action<GrpcMeshClientOptions>? configure = null)
        where TClient : ClientBase
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(defaultAddress);

        var section = GrpcMeshClientNames.SectionOf(name);
        var options = services.AddOptions<GrpcMeshClientOptions>(name).Configure(o => o.Address = defaultAddress);
        if (configuration is not null)
        {
            options.Bind(configuration.GetSection(section));
        }
        else
        {
            options.Configure<IServiceProvider>((o, sp) => sp.GetService<IConfiguration>()?.GetSection(section).Bind(o));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<GrpcMeshClientOptions>>(new GrpcMeshClientOptionsValidator(name, service));

        AddCore(services);
        services.TryAddKeyedSingleton(name, (sp, _) => ClientSetup.Create(
            name, service, sp.GetRequiredService<IOptionsMonitor<GrpcMeshClientOptions>>().Get(name), sp.GetRequiredService<EndpointTableRegistry>()));
        services.TryAddKeyedSingleton(name, (sp, _) => CreateInterceptor(sp, Setup(sp, name)));

        var builder = services
            .AddGrpcClient<TClient>(name, (sp, o) => o.Address = Setup(sp, name).Target.Address)
            .ConfigureChannel((sp, channel) => ConfigureChannel(Setup(sp, name), channel))
            .ConfigurePrimaryHttpMessageHandler(sp => CreatePrimaryHandler(Setup(sp, name).Options.Http, Setup(sp, name).Options.Tls))
            .AddHttpMessageHandler(sp => new BearerTokenHandler(TokenProvider(sp, name)))
            .AddHttpMessageHandler(sp => new EndpointOutcomeHandler(Setup(sp, name).Endpoints))
            .AddInterceptor(InterceptorScope.Channel, sp => sp.GetRequiredService<RpcClientMetricsInterceptor>())
            .AddInterceptor(InterceptorScope.Channel, sp => sp.GetRequiredKeyedService<ResilienceInterceptor>(name));

        // HttpClientFactory's per-request logging handlers cost CPU on every call; gRPC logs and measures calls itself.
        return builder.RemoveAllLoggers();
    }

    /// <summary>
    /// Registers the accessor that <see cref="ServerCallContextCaptureInterceptor"/> fills (every <c>Add…Client</c> call does
    /// this too). A server whose outgoing calls must inherit deadlines also adds the interceptor:
    /// <c>services.AddGrpc(o =&gt; o.Interceptors.Add&lt;ServerCallContextCaptureInterceptor&gt;())</c>.
    /// </summary>
    public static IServiceCollection AddGrpcMeshServerCallContext(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<AmbientServerCallContextAccessor>();
        services.TryAddSingleton<IServerCallContextAccessor>(sp => sp.GetRequiredService<AmbientServerCallContextAccessor>());
        return services;
    }

    /// <summary>The primary handler used unless the caller replaces it: a <see cref="SocketsHttpHandler"/> tuned for long-lived HTTP/2.</summary>
    public static SocketsHttpHandler CreatePrimaryHandler(GrpcMeshHttpOptions options) => CreatePrimaryHandler(options, new GrpcMeshClientTlsOptions());

    /// <summary>The default primary handler with the client's TLS settings (trusted CA bundle, client certificate for mTLS).</summary>
    public static SocketsHttpHandler CreatePrimaryHandler(GrpcMeshHttpOptions options, GrpcMeshClientTlsOptions tls)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tls);
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = options.EnableMultipleHttp2Connections,
            KeepAlivePingDelay = options.KeepAlivePingDelay,
            KeepAlivePingTimeout = options.KeepAlivePingTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            PooledConnectionIdleTimeout = options.PooledConnectionIdleTimeout,
            ConnectTimeout = options.ConnectTimeout,
        };
        ClientTls.Apply(handler, tls);
        return handler;
    }

    private static void AddCore(IServiceCollection services)
    {
        services.TryAddKeyedSingleton(GrpcMeshClientNames.ClockServiceKey, TimeProvider.System);
        services.TryAddSingleton(sp => new GrpcMeshClientTelemetry(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton<RpcClientMetricsInterceptor>();
        services.TryAddSingleton(sp => new RetryBudgetRegistry(sp.GetRequiredKeyedService<TimeProvider>(GrpcMeshClientNames.ClockServiceKey)));
        services.TryAddSingleton(sp => new CircuitBreakerRegistry(
            sp.GetRequiredKeyedService<TimeProvider>(GrpcMeshClientNames.ClockServiceKey),
            sp.GetRequiredService<GrpcMeshClientTelemetry>(),
            sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance));
        services.TryAddSingleton(sp => new EndpointTableRegistry(
            sp.GetRequiredKeyedService<TimeProvider>(GrpcMeshClientNames.ClockServiceKey),
            sp.GetRequiredService<GrpcMeshClientTelemetry>(),
            sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance));
        services.AddGrpcMeshServerCallContext();
    }

    private static ICallTokenProvider? TokenProvider(IServiceProvider services, string name) =>
        services.GetKeyedService<ICallTokenProvider>(name)
        ?? (Setup(services, name).Options.Auth.Token is { Length: > 0 } token ? new StaticCallTokenProvider(token) : null);

    private static ClientSetup Setup(IServiceProvider services, string name) => services.GetRequiredKeyedService<ClientSetup>(name);

    private static ResilienceInterceptor CreateInterceptor(IServiceProvider services, ClientSetup client)
    {
        var time = services.GetRequiredKeyedService<TimeProvider>(GrpcMeshClientNames.ClockServiceKey);
        var options = client.Options;
        return new ResilienceInterceptor(
            client,
            time,
            services.GetRequiredService<GrpcMeshClientTelemetry>(),
            (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger(GrpcMeshClientTelemetry.MeterName),
            services.GetRequiredService<RetryBudgetRegistry>().Get(client.Target.Key, options.Retry),
            options.Breaker.Enabled ? services.GetRequiredService<CircuitBreakerRegistry>().Get(client.Target.Key, options.Breaker) : null,
            services.GetRequiredService<IServerCallContextAccessor>());
    }

    private static void ConfigureChannel(ClientSetup client, GrpcChannelOptions channel)
    {
        var options = client.Options;
        if (options.MaxReceiveMessageSize is { } receive)
        {
            channel.MaxReceiveMessageSize = receive;
        }

        if (options.MaxSendMessageSize is { } send)
        {
            channel.MaxSendMessageSize = send;
        }

        if (!client.Target.IsBalanced)
        {
            return;
        }

        // dns:/// and static:/// addresses: one subchannel per endpoint, balanced by the configured policy. The resolver
        // and balancer factories are this client's own (its refresh interval, its endpoint table), ahead of any in DI.
        var balancing = options.LoadBalancing;
        channel.Credentials = options.UseTls ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure;
        channel.InitialReconnectBackoff = balancing.InitialReconnectBackoff;
        channel.MaxReconnectBackoff = balancing.MaxReconnectBackoff;
        LoadBalancerFactory[] balancers = client.Endpoints is { } table ? [new OutlierAwareBalancerFactory(table)] : [];
        channel.ServiceConfig = new ServiceConfig
        {
            LoadBalancingConfigs =
            {
                client.Endpoints is null ? new PickFirstConfig() : new LoadBalancingConfig(OutlierAwareBalancerFactory.PolicyName),
            },
        };
        channel.ServiceProvider = new BalancingServiceProvider(
            channel.ServiceProvider,
            [new DnsResolverFactory(balancing.DnsRefreshInterval), new StaticResolverFactory(_ => client.Target.StaticEndpoints)],
            balancers);
    }
}
