using GrpcMesh.ServiceDefaults;
using GrpcMesh.UserService;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddUserService();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapUserService();
app.RunService();
