using System.Text.Json.Serialization;
using GrpcMesh.OrderService.Domain;

namespace GrpcMesh.OrderService.Storage;

/// <summary>JSON for order lines and outbox snapshots (source-generated, enums as names).</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(List<OrderLine>))]
[JsonSerializable(typeof(OrderRecord))]
internal sealed partial class OrderJsonContext : JsonSerializerContext;
