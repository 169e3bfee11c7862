using ProtoMoney = GrpcMesh.Common.V1.Money;

namespace GrpcMesh.Domain.Grpc;

/// <summary>Domain ↔ proto conversions of <see cref="Money"/> (inputs are validated by <see cref="MoneyValidation"/> first).</summary>
public static class MoneyProtoMapping
{
    public static ProtoMoney ToProto(this Money money) =>
        new() { CurrencyCode = money.Currency, Units = money.Units, Nanos = money.Nanos };

    public static Money ToDomain(this ProtoMoney money) =>
        Money.FromUnitsAndNanos(money.CurrencyCode, money.Units, money.Nanos);
}
