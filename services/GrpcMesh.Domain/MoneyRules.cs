using System.Text.RegularExpressions;

namespace GrpcMesh.Domain;

/// <summary>What makes a currency code + units + nanos triple a valid GrpcMesh amount.</summary>
public static partial class MoneyRules
{
    /// <summary>ISO 4217 shape: three upper-case ASCII letters.</summary>
    public static bool IsCurrencyCode(string? value) => value is not null && CurrencyPattern().IsMatch(value);

    public static bool IsValidUnits(long units) => units is >= 0 and <= Money.MaxUnits;

    /// <summary>Whole cents only, and never negative: with non-negative units that also keeps units and nanos of one sign.</summary>
    public static bool IsValidNanos(int nanos) => nanos is >= 0 and < 1_000_000_000 && nanos % Money.NanosPerCent == 0;

    public static bool IsValidCents(long cents) => cents is >= 0 and <= Money.MaxCents;

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyPattern();
}
