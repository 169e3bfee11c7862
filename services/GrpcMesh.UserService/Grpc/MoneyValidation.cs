using System.Globalization;
using GrpcMesh.ServiceDefaults.Validation;
using GrpcMesh.UserService.Domain;
using ProtoMoney = GrpcMesh.Common.V1.Money;

namespace GrpcMesh.UserService.Grpc;

internal static class MoneyValidation
{
    private static readonly string MaxUnitsText = MoneyAmount.MaxUnits.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>
    /// A required amount: one violation per bad sub-field (<c>{field}.currency_code</c>, <c>.units</c>, <c>.nanos</c>),
    /// or one on <paramref name="field"/> itself when it is missing or must be positive and is zero.
    /// </summary>
    public static RequestValidator Money(this RequestValidator validator, ProtoMoney? money, string field, bool positive)
    {
        if (money is null)
        {
            return validator.Add(field, "is required");
        }

        validator.Check(MoneyRules.IsCurrencyCode(money.CurrencyCode), field + ".currency_code",
            "must be an ISO 4217 code of three upper-case letters, e.g. USD");
        var unitsValid = MoneyRules.IsValidUnits(money.Units);
        var nanosValid = MoneyRules.IsValidNanos(money.Nanos);
        validator.Check(unitsValid, field + ".units", $"must be between 0 and {MaxUnitsText}");
        validator.Check(nanosValid, field + ".nanos", "must be whole cents: a multiple of 10,000,000 from 0 to 990,000,000");
        return validator.Check(!positive || !unitsValid || !nanosValid || money.Units > 0 || money.Nanos > 0, field, "must be greater than zero");
    }
}
