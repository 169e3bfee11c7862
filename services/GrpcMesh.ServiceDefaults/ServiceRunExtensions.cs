using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GrpcMesh.ServiceDefaults;

public static class ServiceRunExtensions
{
    /// <summary>
    /// Runs the service; returns its exit code. A setting that fails start-up validation (<c>ValidateOnStart</c>) ends it
    /// with one line per failure on stderr and exit code 1, instead of an unhandled exception: a stack trace and an abort.
    /// The validation runs here first, so the host does not also log it as "Hosting failed to start" with a stack trace.
    /// </summary>
    public static int RunService(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var name = app.Environment.ApplicationName;
        try
        {
            app.Services.GetService<IStartupValidator>()?.Validate();
            app.Run();
            return 0;
        }
        catch (Exception ex) when (ValidationFailures(ex) is { Count: > 0 } failures)
        {
            foreach (var failure in failures)
            {
                Console.Error.WriteLine($"{name} cannot start: {failure}");
            }

            return 1;
        }
    }

    private static List<string> ValidationFailures(Exception exception) => exception switch
    {
        OptionsValidationException invalid => [.. invalid.Failures],
        AggregateException many => [.. many.InnerExceptions.SelectMany(ValidationFailures)],
        _ => [],
    };
}
