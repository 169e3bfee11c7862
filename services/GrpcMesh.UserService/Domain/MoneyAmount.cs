using System.Globalization;

namespace GrpcMesh.UserService.Domain;

/// <summary>
/// A non-negative amount in one currency, held as integer cents (hundredths of a unit) so that sums and
/// comparisons are exact. The wire form is google.type.Money-like units + nanos, restricted to whole cents
/// (nanos a multiple of 10,000,000); storage keeps the cents as an INTEGER column next to the currency code.
/// </summary>
public readonly record struct MoneyAmount(string Currency, long Cents)
{
    public const int NanosPerCent = 10_000_000;

    /// <summary>Largest accepted <c>units</c>: keeps every amount and every sum of reserved cents well inside a 64-bit integer.</summary>
    public const long MaxUnits = 1_000_000_000_000_000;

    public long Units => Cents / 100;

    public int Nanos => (int)(Cents % 100) * NanosPerCent;

    /// <summary>Converts an already validated units + nanos pair (see <see cref="MoneyRules"/>).</summary>
    public static MoneyAmount FromUnitsAndNanos(string currency, long units, int nanos) =>
        new(currency, checked((units * 100) + (nanos / NanosPerCent)));

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Units}.{Cents % 100:00} {Currency}");
}
