using GrpcMesh.OrderService;
using GrpcMesh.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddOrderService();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapOrderService();
app.RunService();
