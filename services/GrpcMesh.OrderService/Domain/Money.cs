namespace GrpcMesh.OrderService.Domain;

/// <summary>An amount in minor units (cents) of an ISO 4217 currency; GrpcMesh amounts carry at most two decimals.</summary>
public readonly record struct Money(string Currency, long Minor)
{
    public const int MinorPerUnit = 100;
    public const int NanosPerMinor = 10_000_000;

    public override string ToString() =>
        $"{Minor / MinorPerUnit}.{Minor % MinorPerUnit:00} {Currency}";
}
