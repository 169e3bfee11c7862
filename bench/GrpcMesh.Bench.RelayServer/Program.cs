using Grpc.Core;
using Grpc.Net.Client;
using GrpcMesh.Bench.RelayServer;
using GrpcMesh.Clients;
using GrpcMesh.Clients.Auth;
using GrpcMesh.Clients.Context;
using GrpcMesh.ServiceDefaults;
using Microsoft.Extensions.Options;
using UserServiceClient = GrpcMesh.User.V1.UserService.UserServiceClient;

var builder = WebApplication.CreateBuilder(args);
var relay = builder.Configuration.GetSection(RelayOptions.SectionName).Get<RelayOptions>() ?? new RelayOptions();
builder.Services.AddOptions<RelayOptions>().BindConfiguration(RelayOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<RelayCredential>();

if (relay.Mode == "raw")
{
    builder.AddServiceDefaults();
    builder.Services.AddSingleton(sp => GrpcChannel.ForAddress(sp.GetRequiredService<IOptions<RelayOptions>>().Value.Backend!));
    builder.Services.AddSingleton(sp => new UserServiceClient(sp.GetRequiredService<GrpcChannel>()));
    builder.Services.AddSingleton(sp => new RelayHeaders(sp.GetRequiredService<RelayCredential>().Token is { } token
        ? new Metadata { { "authorization", "Bearer " + token } }
        : null));
}
else
{
    // As OrderService does: incoming deadlines and cancellation flow into outgoing calls through the accessor, and the
    // client attaches the service's own token.
    builder.AddServiceDefaults(grpc => grpc.Interceptors.Add<ServerCallContextCaptureInterceptor>());
    builder.Services.AddUserServiceClient(o => o.Address = relay.Backend);
    builder.Services.AddKeyedSingleton<ICallTokenProvider>(GrpcMeshClientNames.UserService, (sp, _) => sp.GetRequiredService<RelayCredential>());
    builder.Services.AddSingleton(new RelayHeaders(null));
}

// One service instance holding one client, as OrderService's singleton handler holds its gateway's client (a per-call
// instance would resolve a new generated client from Grpc.Net.ClientFactory on every call).
builder.Services.AddSingleton<RelayUserService>();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGrpcService<RelayUserService>();
app.Run();
