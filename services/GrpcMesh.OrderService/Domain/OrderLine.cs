using GrpcMesh.Domain;

namespace GrpcMesh.OrderService.Domain;

public sealed record OrderLine(string Sku, int Quantity, Money UnitPrice);
