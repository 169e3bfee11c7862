using GrpcMesh.OrderService;
using GrpcMesh.OrderService.Grpc;
using GrpcMesh.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddOrderService();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGrpcService<OrderGrpcService>();
app.RunService();
