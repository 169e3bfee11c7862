using System.Diagnostics;
using System.Text.Json;
using System.Xml.Linq;
using GrpcMesh.Interop.Tests.Support;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Postgres;
using GrpcMesh.Testing.Processes;

namespace GrpcMesh.Interop.Tests;

/// <summary>
/// Plays a new team: packs this repo's packages into a folder feed, installs the <c>grpcmesh-service</c> template from it
/// into a directory outside the repo, creates Inventory, runs its own tests against the packed packages, starts it beside
/// the real UserService and calls it from Python (health, reflection, a token) while it calls UserService with its own
/// credential through <c>AddUserServiceClient()</c>.
/// </summary>
public sealed class NewTeamTemplateTests(ITestOutputHelper output)
{
    private const int Timeout = 20 * 60_000; // restore + two builds + the generated tests: ~2 min on an idle 2-core box
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(60);

    [Fact(Timeout = Timeout)]
    public async Task NewService_FromTheTemplatePackage_TestsPassAndItServesAndCallsUserService()
    {
        using var work = new TempDirectory("grpcmesh-newteam");
        var feed = Directory.CreateDirectory(Path.Combine(work.Path, "feed")).FullName;
        var hive = Path.Combine(work.Path, "template-hive");
        // A version of its own, so no earlier pack of the same version in the NuGet cache is used instead of this one.
        await DotnetAsync(Repo.Root, "pack", RepoPaths.PathOf("GrpcMesh.sln"), "-c", Repo.Configuration, "--no-build", "--no-restore", "-o", feed,
            $"-p:VersionSuffix=t{Guid.NewGuid():N}"[..24]);
        var template = Assert.Single(Directory.GetFiles(feed, "GrpcMesh.Templates.*.nupkg"));
        var version = Path.GetFileNameWithoutExtension(template)["GrpcMesh.Templates.".Length..];
        await File.WriteAllTextAsync(Path.Combine(work.Path, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="grpcmesh-local" value="{feed}" />
              </packageSources>
            </configuration>
            """, TestContext.Current.CancellationToken);
        await DotnetAsync(work.Path, "new", "install", template, "--debug:custom-hive", hive);

        var watch = Stopwatch.StartNew();
        await DotnetAsync(work.Path, "new", "grpcmesh-service", "-n", "Inventory", "--meshVersion", version, "--debug:custom-hive", hive);
        var tests = await DotnetAsync(Path.Combine(work.Path, "Inventory"), "test");
        output.WriteLine($"dotnet new → green `dotnet test` of the generated service: {watch.Elapsed.TotalSeconds:F0} s");
        Assert.Contains("Passed!", tests, StringComparison.Ordinal);

        var assets = await File.ReadAllTextAsync(Path.Combine(work.Path, "Inventory", "src", "Inventory", "obj", "project.assets.json"), TestContext.Current.CancellationToken);
        using (var document = JsonDocument.Parse(assets))
        {
            var libraries = document.RootElement.GetProperty("libraries");
            foreach (var package in new[] { "GrpcMesh.ServiceDefaults", "GrpcMesh.Clients", "GrpcMesh.Contracts" })
            {
                Assert.True(libraries.TryGetProperty($"{package}/{version}", out var library), $"{package} {version} is not in the generated service's restore");
                Assert.Equal("package", library.GetProperty("type").GetString());
            }
        }

        var tokens = new TestTokens();
        var auth = new Dictionary<string, string> { ["Auth:Enabled"] = "true", ["Auth:SigningKey"] = tokens.SigningKey, ["Reflection:Enabled"] = "true" };
        await using var users = await ServiceProcess.StartAsync(ServiceProcess.UserService, auth);
        await using var inventory = await ServiceProcess.StartDllAsync(
            Path.Combine(work.Path, "Inventory", "src", "Inventory", "bin", "Debug", Repo.TargetFramework, "Inventory.dll"),
            new Dictionary<string, string>(auth) { ["Clients:UserService:Address"] = users.Address.ToString() });

        var health = await Python.RunAsync("health_check.py", ScriptTimeout, inventory.Target, "", "liveness");
        Assert.All(health, h => Assert.Equal("SERVING", h.GetProperty("status").GetString()));
        var services = Assert.Single(await Python.RunAsync("grpc_reflect.py", ScriptTimeout, inventory.Target, "list")).GetProperty("services");
        Assert.Contains("inventory.v1.InventoryService", services.EnumerateArray().Select(s => s.GetString()));

        var created = await CallAsync(users, tokens.Create("team-test", "users.write"), "grpcmesh.user.v1.UserService/CreateUser",
            new { email = $"team-{Guid.NewGuid():N}@example.com", displayName = "Team", creditLimit = new { currencyCode = "EUR", units = "10" } });
        var owner = created.GetProperty("response").GetProperty("user").GetProperty("id").GetString()!;
        var item = new { itemId = "sku-1", ownerUserId = owner, name = "Widget", quantity = 3 };

        var put = await CallAsync(inventory, tokens.Create("team-test", "inventory.write"), "inventory.v1.InventoryService/PutItem", new { item });
        var got = await CallAsync(inventory, tokens.Create("team-test", "inventory.read"), "inventory.v1.InventoryService/GetItem", new { itemId = "sku-1" });
        var unknownOwner = await CallAsync(inventory, tokens.Create("team-test", "inventory.write"), "inventory.v1.InventoryService/PutItem",
            new { item = new { itemId = "sku-2", ownerUserId = "usr_nobody", name = "Widget" } });
        var anonymous = Assert.Single(await Python.RunAsync("grpc_reflect.py", ScriptTimeout, inventory.Target, "call", "inventory.v1.InventoryService/GetItem", """{"itemId": "sku-1"}"""));

        Assert.Equal(owner, put.GetProperty("response").GetProperty("item").GetProperty("ownerUserId").GetString());
        Assert.Equal("Widget", got.GetProperty("response").GetProperty("item").GetProperty("name").GetString());
        Assert.Equal("FAILED_PRECONDITION", unknownOwner.GetProperty("error").GetString());
        Assert.Contains("usr_nobody", unknownOwner.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("UNAUTHENTICATED", anonymous.GetProperty("error").GetString());
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Template_DefaultMeshVersion_IsTheVersionThePackagesArePackedWith()
    {
        var props = XDocument.Load(RepoPaths.PathOf("Directory.Build.props"));
        var packed = $"{props.Descendants("VersionPrefix").Single().Value}-{props.Descendants("VersionSuffix").Single().Value}";
        using var template = JsonDocument.Parse(await File.ReadAllTextAsync(
            RepoPaths.PathOf("templates", "GrpcMesh.Templates", "content", "grpcmesh-service", ".template.config", "template.json"), TestContext.Current.CancellationToken));

        Assert.Equal(packed, template.RootElement.GetProperty("symbols").GetProperty("meshVersion").GetProperty("defaultValue").GetString());
    }

    private static async Task<JsonElement> CallAsync(ServiceProcess service, string token, string method, object request) =>
        Assert.Single(await Python.RunAsync("grpc_reflect.py", ScriptTimeout,
            service.Target, "--metadata", "authorization=Bearer " + token, "call", method, JsonSerializer.Serialize(request)));

    /// <summary>Runs the dotnet CLI in <paramref name="directory"/> as a user would: without the MSBuild and test-host variables this test process inherited.</summary>
    private async Task<string> DotnetAsync(string directory, params string[] arguments)
    {
        var environment = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.Ordinal))
            .ToDictionary(k => k, _ => (string?)null);
        environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        environment["DOTNET_NOLOGO"] = "1";
        var result = await new ProcessRunner(runAsUser: null).RunAsync(
            "/bin/sh", ["-c", $"cd {ProcessRunner.ShellQuote([directory])} && exec dotnet {ProcessRunner.ShellQuote(arguments)}"], StepTimeout, environment);
        Assert.True(result.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} exited {result.ExitCode}:\n{result.Output}");
        output.WriteLine($"dotnet {arguments[0]} {(arguments.Length > 1 ? arguments[1] : "")}: ok");
        return result.Output;
    }
}
