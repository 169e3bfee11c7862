using System.Globalization;

namespace GrpcMesh.Domain;

/// <summary>
/// A non-negative amount in one currency, held as integer cents (hundredths of a unit) so that sums and comparisons are
/// exact. The wire form is grpcmesh.common.v1.Money (units + nanos, restricted to whole cents, see <see cref="MoneyRules"/>);
/// storage keeps the cents as an integer column next to the currency code.
/// </summary>
public readonly record struct Money(string Currency, long Cents)
{
    public const int CentsPerUnit = 100;

    public const int NanosPerCent = 10_000_000;

    /// <summary>Largest accepted <c>units</c>: keeps every amount and every sum of reserved cents well inside a 64-bit integer.</summary>
    public const long MaxUnits = 1_000_000_000_000_000;

    public const long MaxCents = (MaxUnits * CentsPerUnit) + (CentsPerUnit - 1);

    public long Units => Cents / CentsPerUnit;

    public int Nanos => (int)(Cents % CentsPerUnit) * NanosPerCent;

    /// <summary>Converts a units + nanos pair already accepted by <see cref="MoneyRules"/>.</summary>
    public static Money FromUnitsAndNanos(string currency, long units, int nanos) =>
        new(currency, checked((units * CentsPerUnit) + (nanos / NanosPerCent)));

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Units}.{Cents % CentsPerUnit:00} {Currency}");
}
