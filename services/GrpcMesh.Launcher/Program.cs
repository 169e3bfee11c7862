using GrpcMesh.Launcher;
using GrpcMesh.Launcher.Stat;

// dotnet run --project services/GrpcMesh.Launcher [-- --no-build] [--verbose] [--user-url URL] [--order-url URL]
//   [--user-http-url URL] [--order-http-url URL]: builds and starts the mesh.
// dotnet run --project services/GrpcMesh.Launcher -- token [--scope S]... [--lifetime 1h]: prints a development token.
// dotnet run --project services/GrpcMesh.Launcher -- stat [--once] [--interval 5s] [NAME=URL]...: golden signals of the running mesh.
if (args is ["token", .. var tokenArgs])
{
    return TokenCommand.Run(tokenArgs, Console.Out, Console.Error);
}

if (args is ["stat", .. var statArgs])
{
    return await StatCommand.RunAsync(statArgs, Console.Out, Console.Error);
}

if (MeshArguments.Parse(args, out var error) is not { } options)
{
    Console.Error.WriteLine($"{error}; {MeshArguments.Usage}");
    return 2;
}

return await Mesh.RunAsync(Mesh.Services(options), build: options.Build, verbose: options.Verbose);
