using System.Text.RegularExpressions;

namespace GrpcMesh.UserService.Domain;

/// <summary>What makes a units + nanos + currency triple a valid GrpcMesh amount.</summary>
public static partial class MoneyRules
{
    /// <summary>ISO 4217 shape: three upper-case ASCII letters.</summary>
    public static bool IsCurrencyCode(string? value) => value is not null && CurrencyPattern().IsMatch(value);

    public static bool IsValidUnits(long units) => units is >= 0 and <= MoneyAmount.MaxUnits;

    public static bool IsValidNanos(int nanos) => nanos is >= 0 and < 1_000_000_000 && nanos % MoneyAmount.NanosPerCent == 0;

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyPattern();
}
