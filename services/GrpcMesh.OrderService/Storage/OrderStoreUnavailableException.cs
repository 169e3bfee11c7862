namespace GrpcMesh.OrderService.Storage;

/// <summary>The order database could not be reached or refused work for now; the gRPC layer answers UNAVAILABLE.</summary>
public sealed class OrderStoreUnavailableException(string message, Exception innerException) : Exception(message, innerException);
