namespace GrpcMesh.OrderService.Domain;

public static class OrderIds
{
    /// <summary>"ord_" + a time-ordered UUIDv7 (36 chars of [a-z0-9_], a valid reservation id too).</summary>
    public static string New(DateTimeOffset now) => "ord_" + Guid.CreateVersion7(now).ToString("N");
}
