using DomainMoney = GrpcMesh.OrderService.Domain.Money;
using ProtoMoney = GrpcMesh.Common.V1.Money;

namespace GrpcMesh.OrderService.Grpc;

public static class MoneyMapper
{
    public static ProtoMoney ToProto(this DomainMoney money) => new()
    {
        CurrencyCode = money.Currency,
        Units = money.Minor / DomainMoney.MinorPerUnit,
        Nanos = (int)(money.Minor % DomainMoney.MinorPerUnit) * DomainMoney.NanosPerMinor,
    };

    /// <summary>Converts an amount already validated as whole cents (see <see cref="OrderRequestValidation"/>).</summary>
    public static DomainMoney ToDomain(this ProtoMoney money) =>
        new(money.CurrencyCode, checked((money.Units * DomainMoney.MinorPerUnit) + (money.Nanos / DomainMoney.NanosPerMinor)));
}
