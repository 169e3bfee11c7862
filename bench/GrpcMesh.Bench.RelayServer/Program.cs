using Grpc.Net.Client;
using GrpcMesh.Bench.RelayServer;
using GrpcMesh.Clients.Context;
using GrpcMesh.ServiceDefaults;
using Microsoft.Extensions.Options;
using UserServiceClient = GrpcMesh.User.V1.UserService.UserServiceClient;

var builder = WebApplication.CreateBuilder(args);
var relay = builder.Configuration.GetSection(RelayOptions.SectionName).Get<RelayOptions>() ?? new RelayOptions();
builder.Services.AddOptions<RelayOptions>().BindConfiguration(RelayOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

if (relay.Mode == "raw")
{
    builder.AddServiceDefaults();
    builder.Services.AddSingleton(sp => GrpcChannel.ForAddress(sp.GetRequiredService<IOptions<RelayOptions>>().Value.Backend!));
    builder.Services.AddSingleton(sp => new UserServiceClient(sp.GetRequiredService<GrpcChannel>()));
}
else
{
    // As a mesh service would: incoming deadlines and cancellation flow into outgoing calls through the accessor.
    builder.AddServiceDefaults(grpc => grpc.Interceptors.Add<ServerCallContextCaptureInterceptor>());
    builder.Services.AddUserServiceClient(o => o.Address = relay.Backend);
}

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGrpcService<RelayUserService>();
app.Run();
