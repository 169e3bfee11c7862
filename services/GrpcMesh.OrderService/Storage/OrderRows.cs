using System.Data.Common;
using System.Text.Json;
using GrpcMesh.Domain;
using GrpcMesh.OrderService.Domain;

namespace GrpcMesh.OrderService.Storage;

/// <summary>
/// Row shapes, mapping and JSON shared by the SQLite and PostgreSQL order stores. Both select an order as
/// <see cref="OrderColumns"/>, a saga as <see cref="SagaColumns"/> and an event as <see cref="EventColumns"/>, in that
/// column order. Times are UTC ticks (SQLite INTEGER) or timestamptz (PostgreSQL, microseconds); enums are stored by name.
/// </summary>
internal static class OrderRows
{
    public const string OrderColumns =
        "id, request_id, user_id, currency, total_minor, lines_json, state, state_reason, create_time, update_time";

    public const string SagaColumns =
        "order_id, reservation_id, step, attempts, next_attempt_at, last_error, started_at, updated_at";

    public const string EventColumns = "sequence, type, snapshot_json, event_time";

    public static OrderRecord ReadOrder(DbDataReader reader) => new(
        Id: reader.GetString(0),
        RequestId: reader.GetString(1),
        UserId: reader.GetString(2),
        Lines: JsonSerializer.Deserialize(reader.GetString(5), OrderJsonContext.Default.ListOrderLine)
            ?? throw new InvalidDataException("order lines_json is null"),
        Total: new Money(reader.GetString(3), reader.GetInt64(4)),
        State: Enum.Parse<OrderState>(reader.GetString(6)),
        StateReason: reader.GetString(7),
        CreateTime: ReadTime(reader, 8),
        UpdateTime: ReadTime(reader, 9));

    public static SagaRecord ReadSaga(DbDataReader reader) => new(
        OrderId: reader.GetString(0),
        ReservationId: reader.GetString(1),
        Step: Enum.Parse<SagaStep>(reader.GetString(2)),
        Attempts: reader.GetInt32(3),
        NextAttemptAt: reader.IsDBNull(4) ? null : ReadTime(reader, 4),
        LastError: reader.IsDBNull(5) ? null : reader.GetString(5),
        StartedAt: ReadTime(reader, 6),
        UpdatedAt: ReadTime(reader, 7));

    public static OrderEvent ReadEvent(DbDataReader reader) => new(
        Sequence: reader.GetInt64(0),
        Type: Enum.Parse<OrderEventType>(reader.GetString(1)),
        Order: JsonSerializer.Deserialize(reader.GetString(2), OrderJsonContext.Default.OrderRecord)
            ?? throw new InvalidDataException("order event snapshot_json is null"),
        EventTime: ReadTime(reader, 3));

    public static string LinesJson(OrderRecord order) =>
        JsonSerializer.Serialize(order.Lines.ToList(), OrderJsonContext.Default.ListOrderLine);

    public static string SnapshotJson(OrderRecord order) =>
        JsonSerializer.Serialize(order, OrderJsonContext.Default.OrderRecord);

    /// <summary>The outbox event type a change into <paramref name="state"/> writes.</summary>
    public static OrderEventType EventTypeFor(OrderState state) => state switch
    {
        OrderState.Pending => OrderEventType.Created,
        OrderState.Confirmed => OrderEventType.Confirmed,
        OrderState.Rejected => OrderEventType.Rejected,
        OrderState.Cancelled => OrderEventType.Cancelled,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "unknown order state"),
    };

    /// <summary>The order after a <paramref name="transition"/> was applied to <paramref name="current"/>.</summary>
    public static OrderRecord Apply(OrderRecord current, OrderTransition transition) =>
        current with { State = transition.To, StateReason = transition.Reason, UpdateTime = transition.At };

    public static DateTimeOffset FromTicks(long utcTicks) => new(utcTicks, TimeSpan.Zero);

    private static DateTimeOffset ReadTime(DbDataReader reader, int ordinal) =>
        reader.GetFieldType(ordinal) == typeof(long)
            ? FromTicks(reader.GetInt64(ordinal))
            : reader.GetFieldValue<DateTimeOffset>(ordinal);
}
