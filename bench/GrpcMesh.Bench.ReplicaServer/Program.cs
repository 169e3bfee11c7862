using System.Globalization;
using GrpcMesh.Bench.ReplicaServer;
using GrpcMesh.ServiceDefaults;
using GrpcMesh.ServiceDefaults.Auth;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddMethodScopes(ReplicaScopes.Map);
builder.Services.AddOptions<ReplicaOptions>().BindConfiguration(ReplicaOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<ServedCalls>();
builder.Services.AddSingleton<PreciseDelays>();
builder.Services.AddSingleton<BoundedResource>();
builder.Services.AddSingleton<ReplicaUserService>();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGrpcService<ReplicaUserService>();
// Plain HTTP/2 GET (the port speaks h2c only) so the harness can read the count without a bench-only proto.
app.MapGet("/bench/served", (ServedCalls served) => served.Count.ToString(CultureInfo.InvariantCulture));
app.Run();
