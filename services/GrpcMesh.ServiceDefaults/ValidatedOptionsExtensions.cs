using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GrpcMesh.ServiceDefaults;

public static class ValidatedOptionsExtensions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to the configuration section <paramref name="section"/> and validates its
    /// data annotations when the host starts, so a bad setting stops the service at once instead of failing a call later.
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(this IServiceCollection services, string section)
        where TOptions : class =>
        services.AddOptions<TOptions>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}
