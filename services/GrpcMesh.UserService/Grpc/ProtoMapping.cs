using Google.Protobuf.WellKnownTypes;
using GrpcMesh.Domain.Grpc;
using GrpcMesh.UserService.Domain;
using V1 = GrpcMesh.User.V1;

namespace GrpcMesh.UserService.Grpc;

/// <summary>Domain ↔ proto conversions (inputs are validated before they get here).</summary>
internal static class ProtoMapping
{
    public static V1.User ToProto(this UserAccount user) => new()
    {
        Id = user.Id,
        Email = user.Email,
        DisplayName = user.DisplayName,
        CreditLimit = user.CreditLimit.ToProto(),
        AvailableCredit = user.AvailableCredit.ToProto(),
        Status = user.Status.ToProto(),
        CreateTime = Timestamp.FromDateTimeOffset(user.CreateTime),
        UpdateTime = Timestamp.FromDateTimeOffset(user.UpdateTime),
        Etag = user.ETag,
    };

    public static V1.CreditReservation ToProto(this CreditReservation reservation) => new()
    {
        ReservationId = reservation.ReservationId,
        UserId = reservation.UserId,
        Amount = reservation.Amount.ToProto(),
        Status = reservation.State switch
        {
            ReservationState.Reserved => V1.ReservationStatus.Reserved,
            ReservationState.Released => V1.ReservationStatus.Released,
            _ => V1.ReservationStatus.Unspecified,
        },
        CreateTime = Timestamp.FromDateTimeOffset(reservation.CreateTime),
        UpdateTime = Timestamp.FromDateTimeOffset(reservation.UpdateTime),
    };

    public static V1.UserStatus ToProto(this AccountStatus status) => status switch
    {
        AccountStatus.Active => V1.UserStatus.Active,
        AccountStatus.Suspended => V1.UserStatus.Suspended,
        AccountStatus.Deleted => V1.UserStatus.Deleted,
        _ => V1.UserStatus.Unspecified,
    };
}
