using Grpc.Core;
using GrpcMesh.Domain.Grpc;
using GrpcMesh.ServiceDefaults.Errors;
using GrpcMesh.User.V1;
using GrpcMesh.UserService.Domain;
using GrpcMesh.UserService.Storage;
using UserServiceBase = GrpcMesh.User.V1.UserService.UserServiceBase;

namespace GrpcMesh.UserService.Grpc;

/// <summary>
/// grpcmesh.user.v1.UserService: validates and maps requests, delegates to <see cref="IUserStore"/>. Domain refusals
/// become statuses in <see cref="DomainExceptionMapper"/>.
/// </summary>
public sealed class UserGrpcService(IUserStore store, UserIdGenerator ids, ILogger<UserGrpcService> logger) : UserServiceBase
{
    public override async Task<CreateUserResponse> CreateUser(CreateUserRequest request, ServerCallContext context)
    {
        var newUser = UserRequestParser.Parse(request, ids);
        var result = await store.CreateUserAsync(newUser, context.CancellationToken);
        if (result.Created)
        {
            UserServiceLog.UserCreated(logger, result.User.Id);
        }
        else
        {
            UserServiceLog.UserCreateReplayed(logger, result.User.Id, newUser.RequestId);
        }

        return new CreateUserResponse { User = result.User.ToProto() };
    }

    public override async Task<GetUserResponse> GetUser(GetUserRequest request, ServerCallContext context)
    {
        var userId = UserRequestParser.Parse(request);
        var user = await store.GetUserAsync(userId, context.CancellationToken)
            ?? throw RpcErrors.NotFound("user", userId);
        return new GetUserResponse { User = user.ToProto() };
    }

    public override async Task<ListUsersResponse> ListUsers(ListUsersRequest request, ServerCallContext context)
    {
        var query = UserRequestParser.Parse(request);
        var page = await store.ListUsersAsync(query, context.CancellationToken);
        var response = new ListUsersResponse
        {
            NextPageToken = page.NextAfterId is null ? "" : ListUsersPageToken.Encode(page.NextAfterId, query.IncludeDeleted),
        };
        response.Users.AddRange(page.Users.Select(u => u.ToProto()));
        return response;
    }

    public override async Task<UpdateUserResponse> UpdateUser(UpdateUserRequest request, ServerCallContext context)
    {
        var (userId, update) = UserRequestParser.Parse(request);
        var user = await store.UpdateUserAsync(userId, update, context.CancellationToken);
        UserServiceLog.UserUpdated(logger, user.Id, user.ETag, string.Join(",", request.UpdateMask.Paths));
        return new UpdateUserResponse { User = user.ToProto() };
    }

    public override async Task<DeleteUserResponse> DeleteUser(DeleteUserRequest request, ServerCallContext context)
    {
        var userId = UserRequestParser.Parse(request);
        var user = await store.DeleteUserAsync(userId, context.CancellationToken);
        UserServiceLog.UserDeleted(logger, user.Id);
        return new DeleteUserResponse { User = user.ToProto() };
    }

    public override async Task<ReserveCreditResponse> ReserveCredit(ReserveCreditRequest request, ServerCallContext context)
    {
        var reservation = UserRequestParser.Parse(request);
        CreditReservationResult result;
        try
        {
            result = await store.ReserveCreditAsync(reservation, context.CancellationToken);
        }
        catch (PreconditionFailedException ex)
        {
            UserServiceLog.CreditRefused(logger, reservation.ReservationId, reservation.UserId, reservation.Amount.ToString(), ex.Type, ex.Message);
            throw;
        }

        UserServiceLog.CreditReserved(logger, result.Reservation.ReservationId, result.Reservation.UserId,
            result.Reservation.Amount.ToString(), result.AvailableCredit.ToString());
        return new ReserveCreditResponse { Reservation = result.Reservation.ToProto(), AvailableCredit = result.AvailableCredit.ToProto() };
    }

    public override async Task<ReleaseCreditResponse> ReleaseCredit(ReleaseCreditRequest request, ServerCallContext context)
    {
        var reservationId = UserRequestParser.Parse(request);
        var result = await store.ReleaseCreditAsync(reservationId, context.CancellationToken);
        UserServiceLog.CreditReleased(logger, reservationId, result.Reservation.UserId, result.AvailableCredit.ToString());
        return new ReleaseCreditResponse { Reservation = result.Reservation.ToProto(), AvailableCredit = result.AvailableCredit.ToProto() };
    }
}
