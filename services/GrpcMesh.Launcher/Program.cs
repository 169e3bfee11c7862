using GrpcMesh.Launcher;

// dotnet run --project services/GrpcMesh.Launcher [-- --no-build] [-- --verbose]: builds and starts the mesh.
// dotnet run --project services/GrpcMesh.Launcher -- token [--scope S]... [--lifetime 1h]: prints a development token.
if (args is ["token", .. var tokenArgs])
{
    return TokenCommand.Run(tokenArgs, Console.Out, Console.Error);
}

var unknown = args.Except(["--no-build", "--verbose"]).ToList();
if (unknown.Count > 0)
{
    Console.Error.WriteLine($"unknown argument(s) {string.Join(' ', unknown)}; usage: [--no-build] [--verbose] | token [--scope S]... [--lifetime 1h]");
    return 2;
}

return await Mesh.RunAsync(Mesh.Services(), build: !args.Contains("--no-build"), verbose: args.Contains("--verbose"));
