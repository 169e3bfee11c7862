using GrpcMesh.ServiceDefaults;
using MeshSample;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddMeshSample();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGrpcService<ItemGrpcService>();
app.RunService();

/// <summary>The entry point; public so tests can host it (GrpcTestHost&lt;Program&gt;).</summary>
public partial class Program;
