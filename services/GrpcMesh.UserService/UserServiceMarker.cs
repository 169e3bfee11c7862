namespace GrpcMesh.UserService;

/// <summary>Names this assembly for <c>WebApplicationFactory&lt;UserServiceMarker&gt;</c> in tests.</summary>
public sealed class UserServiceMarker;
