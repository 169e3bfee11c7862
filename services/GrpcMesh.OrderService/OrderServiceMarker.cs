namespace GrpcMesh.OrderService;

/// <summary>Names this assembly for <c>WebApplicationFactory&lt;OrderServiceMarker&gt;</c> in tests.</summary>
public sealed class OrderServiceMarker;
