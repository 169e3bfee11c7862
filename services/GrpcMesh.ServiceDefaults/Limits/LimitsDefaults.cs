using System.Diagnostics.Metrics;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GrpcMesh.ServiceDefaults.Limits;

internal static class LimitsDefaults
{
    /// <summary><c>Limits:*</c>: gRPC message sizes (refusals naming the limit, <see cref="MessageSizeRefusals"/>), Kestrel's HTTP/2 stream limit, and <see cref="CallAdmission"/>.</summary>
    public static IServiceCollection AddGrpcMeshLimits(this IServiceCollection services)
    {
        services.AddValidatedOptions<LimitsOptions>(LimitsOptions.SectionName);
        services.AddSingleton(sp => new CallerRateLimiter(sp.GetRequiredService<IOptions<LimitsOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new CallGate(sp.GetRequiredService<IOptions<LimitsOptions>>().Value, sp.GetRequiredService<TimeProvider>()).Observe(sp.GetRequiredService<IMeterFactory>()));
        services.AddSingleton<CallAdmission>();
        services.AddSingleton<SheddableRefusals>();
        services.AddSingleton<IStartupFilter, MessageSizeRefusals>();
        services.AddOptions<GrpcServiceOptions>().Configure<IOptions<LimitsOptions>>((grpc, limits) =>
        {
            grpc.MaxReceiveMessageSize = limits.Value.MaxReceiveMessageSize;
            grpc.MaxSendMessageSize = limits.Value.MaxSendMessageSize;
        });
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<LimitsOptions>>((kestrel, limits) =>
            kestrel.Limits.Http2.MaxStreamsPerConnection = limits.Value.MaxConcurrentStreams);
        return services;
    }
}
