using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GrpcMesh.ServiceDefaults.Health;

internal static class HealthDefaults
{
    /// <summary>How often cached statuses (pushed to Watch streams) are recomputed.</summary>
    private static readonly TimeSpan PublishPeriod = TimeSpan.FromSeconds(10);

    public static IServiceCollection AddGrpcMeshHealth(this IServiceCollection services)
    {
        services.AddValidatedOptions<ShutdownOptions>(ShutdownOptions.SectionName);
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>(ConfigureShutdownTimeout);

        services.TryAddSingleton<DrainState>();
        services.TryAddSingleton<UnknownHealthService>();
        services.AddHostedService<DrainOnShutdownService>();

        services.AddGrpcHealthChecks(GrpcServiceHealthMappings.MapFixedNames)
            .AddCheck(HealthNames.SelfCheck, () => HealthCheckResult.Healthy(), [HealthNames.LiveTag]);
        Decorate<HealthCheckService>(services, (sp, inner) => new DrainAwareHealthCheckService(inner, sp.GetRequiredService<DrainState>()));
        services.AddSingleton<GrpcServiceHealthMappings>();
        services.AddSingleton<IStartupFilter>(sp => sp.GetRequiredService<GrpcServiceHealthMappings>());
        Decorate<IHealthCheckPublisher>(services, (sp, inner) => new AfterMappingPublisher(inner, sp.GetRequiredService<GrpcServiceHealthMappings>()));
        services.Configure<HealthCheckPublisherOptions>(o =>
        {
            o.Delay = TimeSpan.FromSeconds(1);
            o.Period = PublishPeriod;
        });
        return services;
    }

    /// <summary>Replaces the last registration of <typeparamref name="T"/> with <paramref name="decorate"/> around it.</summary>
    private static void Decorate<T>(IServiceCollection services, Func<IServiceProvider, T, T> decorate)
        where T : class
    {
        var inner = services.Last(d => d.ServiceType == typeof(T) && !d.IsKeyedService);
        services.Remove(inner);
        services.AddSingleton(sp => decorate(sp, (T)(inner.ImplementationInstance
            ?? inner.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, inner.ImplementationType!))));
    }

    /// <summary>
    /// HostOptions are read while the host is built, before start-up validation: an invalid <c>Shutdown</c> section keeps the
    /// default timeout here and is reported by that validation (<see cref="ServiceRunExtensions.RunService"/>: one line, exit 1).
    /// </summary>
    private static void ConfigureShutdownTimeout(HostOptions host, IOptions<ShutdownOptions> shutdown)
    {
        try
        {
            host.ShutdownTimeout = shutdown.Value.HostShutdownTimeout;
        }
        catch (OptionsValidationException)
        {
        }
    }
}
