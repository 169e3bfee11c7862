using GrpcMesh.Bench.BaselineServer;
using Microsoft.AspNetCore.Server.Kestrel.Core;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
builder.Logging.AddConsole();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http2));
builder.Services.AddGrpc();
builder.Services.AddSingleton<InMemoryUsers>();
builder.Services.AddSingleton<InMemoryOrders>();
builder.Services.AddSingleton(TimeProvider.System);

var app = builder.Build();
app.MapGrpcService<BaselineUserService>();
app.MapGrpcService<BaselineOrderService>();
app.Run();
