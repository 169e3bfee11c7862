using System.Globalization;
using GrpcMesh.ServiceDefaults.Validation;
using DomainMoney = GrpcMesh.Domain.Money;
using ProtoMoney = GrpcMesh.Common.V1.Money;

namespace GrpcMesh.Domain.Grpc;

/// <summary>The one validation of a grpcmesh.common.v1.Money field (rules in <see cref="MoneyRules"/>), with the same field violations in every service.</summary>
public static class MoneyValidation
{
    private static readonly string MaxUnitsText = DomainMoney.MaxUnits.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>
    /// A required amount: one violation per bad sub-field (<c>{field}.currency_code</c>, <c>.units</c>, <c>.nanos</c>),
    /// or one on <paramref name="field"/> itself when it is missing or must be positive and is zero.
    /// </summary>
    public static RequestValidator Money(this RequestValidator validator, ProtoMoney? money, string field, bool positive) =>
        validator.Money(money, field, positive, out _);

    /// <inheritdoc cref="Money(RequestValidator, ProtoMoney?, string, bool)"/>
    /// <param name="amount">The amount when it is valid, otherwise null.</param>
    public static RequestValidator Money(this RequestValidator validator, ProtoMoney? money, string field, bool positive, out DomainMoney? amount)
    {
        amount = null;
        if (money is null)
        {
            return validator.Add(field, "is required");
        }

        var currencyValid = MoneyRules.IsCurrencyCode(money.CurrencyCode);
        var unitsValid = MoneyRules.IsValidUnits(money.Units);
        var nanosValid = MoneyRules.IsValidNanos(money.Nanos);
        validator
            .Check(currencyValid, field + ".currency_code",
                $"must be an ISO 4217 code of three upper-case letters like USD (got {Quoted(money.CurrencyCode)})")
            .Check(unitsValid, field + ".units", $"must be between 0 and {MaxUnitsText} (got {money.Units})")
            .Check(nanosValid, field + ".nanos",
                $"must be whole cents: a multiple of 10,000,000 from 0 to 990,000,000 (got {money.Nanos})");
        if (!unitsValid || !nanosValid)
        {
            return validator;
        }

        var value = money.ToDomain();
        if (positive && value.Cents == 0)
        {
            return validator.Add(field, "must be greater than zero");
        }

        amount = currencyValid ? value : null;
        return validator;
    }

    /// <summary>Echoes short input only: the description travels in grpc-message, which must stay a small header.</summary>
    private static string Quoted(string currencyCode) =>
        currencyCode.Length <= 8 ? $"'{currencyCode}'" : $"{currencyCode.Length} characters";
}
