using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GrpcMesh.ServiceDefaults;

public static class ServiceRunExtensions
{
    /// <summary>
    /// Runs the service. A setting that fails start-up validation (<c>ValidateOnStart</c>) ends the process with one line
    /// per failure on stderr and exit code 1, instead of an unhandled exception's stack trace and an abort.
    /// </summary>
    /// <remarks>
    /// The validation runs here first, so the host does not also log it as "Hosting failed to start" with a stack trace.
    /// The exception is left unhandled on purpose and turned into the exit at process level: under WebApplicationFactory
    /// this entry point runs inside the test process, whose factory must still see the exception.
    /// </remarks>
    public static void RunService(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var name = app.Environment.ApplicationName;
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            if (e.ExceptionObject is Exception exception && ValidationFailures(exception) is { Count: > 0 } failures)
            {
                foreach (var failure in failures)
                {
                    Console.Error.WriteLine($"{name} cannot start: {failure}");
                }

                Environment.Exit(1);
            }
        };
        app.Services.GetService<IStartupValidator>()?.Validate();
        app.Run();
    }

    private static List<string> ValidationFailures(Exception exception) => exception switch
    {
        OptionsValidationException invalid => [.. invalid.Failures],
        AggregateException many => [.. many.InnerExceptions.SelectMany(ValidationFailures)],
        _ => [],
    };
}
