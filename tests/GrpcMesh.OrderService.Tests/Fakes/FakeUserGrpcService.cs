using Grpc.Core;
using GrpcMesh.ServiceDefaults.Errors;
using GrpcMesh.User.V1;
using ProtoMoney = GrpcMesh.Common.V1.Money;
using ProtoUser = GrpcMesh.User.V1.User;
using UserServiceBase = GrpcMesh.User.V1.UserService.UserServiceBase;

namespace GrpcMesh.OrderService.Tests.Fakes;

/// <summary>The parts of grpcmesh.user.v1.UserService that OrderService calls, over <see cref="FakeUserBackend"/>.</summary>
public sealed class FakeUserGrpcService(FakeUserBackend backend) : UserServiceBase
{
    public override async Task<GetUserResponse> GetUser(GetUserRequest request, ServerCallContext context)
    {
        Enter(nameof(GetUser), context);
        backend.CountGetUser();
        if (backend.GetUserGate is { } gate)
        {
            await gate.Task.WaitAsync(context.CancellationToken);
        }

        var user = backend.FindUser(request.UserId) ?? throw RpcErrors.NotFound("user", request.UserId);
        return new GetUserResponse
        {
            User = new ProtoUser
            {
                Id = user.Id,
                Status = user.Status,
                CreditLimit = Money(user.CreditLimitMinor, user.Currency),
                AvailableCredit = Money(backend.AvailableCredit(user.Id), user.Currency),
            },
        };
    }

    public override async Task<ReserveCreditResponse> ReserveCredit(ReserveCreditRequest request, ServerCallContext context)
    {
        Enter(nameof(ReserveCredit), context);
        backend.CountReserve();
        if (backend.ReserveFault == ReserveFault.UnavailableBeforeReserving)
        {
            throw RpcErrors.Unavailable("fake UserService: unavailable before reserving");
        }

        var amount = request.Amount.Units * 100 + request.Amount.Nanos / 10_000_000;
        var (reservation, refusal, type) = backend.Reserve(request.ReservationId, request.UserId, amount, request.Amount.CurrencyCode);
        if (reservation is null)
        {
            throw type switch
            {
                "NOT_FOUND" => RpcErrors.NotFound("user", request.UserId),
                "ALREADY_EXISTS" => RpcErrors.AlreadyExists("reservation", request.ReservationId, refusal!),
                _ => RpcErrors.FailedPrecondition(type!, $"users/{request.UserId}", refusal!),
            };
        }

        switch (backend.ReserveFault)
        {
            case ReserveFault.UnavailableAfterReservingThenDown:
                backend.Down = true;
                throw RpcErrors.Unavailable("fake UserService: crashed after reserving");
            case ReserveFault.HangAfterReserving:
                // Answers only once the caller has given up, the way a real server's deadline handling does.
                await Task.Delay(Timeout.Infinite, context.CancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
                throw new RpcException(new Status(StatusCode.DeadlineExceeded, "fake UserService: deadline exceeded"));
        }

        return new ReserveCreditResponse
        {
            Reservation = ToProto(reservation),
            AvailableCredit = Money(backend.AvailableCredit(request.UserId), request.Amount.CurrencyCode),
        };
    }

    public override Task<ReleaseCreditResponse> ReleaseCredit(ReleaseCreditRequest request, ServerCallContext context)
    {
        Enter(nameof(ReleaseCredit), context);
        backend.CountRelease();
        var reservation = backend.Release(request.ReservationId) ?? throw RpcErrors.NotFound("reservation", request.ReservationId);
        return Task.FromResult(new ReleaseCreditResponse
        {
            Reservation = ToProto(reservation),
            AvailableCredit = Money(backend.AvailableCredit(reservation.UserId), reservation.Currency),
        });
    }

    private void Enter(string method, ServerCallContext context)
    {
        backend.Deadlines.Enqueue((method, context.Deadline));
        if (backend.Down)
        {
            throw RpcErrors.Unavailable("fake UserService is down");
        }
    }

    private static CreditReservation ToProto(FakeReservation reservation) => new()
    {
        ReservationId = reservation.Id,
        UserId = reservation.UserId,
        Amount = Money(reservation.AmountMinor, reservation.Currency),
        Status = reservation.Released ? ReservationStatus.Released : ReservationStatus.Reserved,
    };

    private static ProtoMoney Money(long minor, string currency) =>
        new() { CurrencyCode = currency, Units = minor / 100, Nanos = (int)(minor % 100) * 10_000_000 };
}
