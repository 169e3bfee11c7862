using GrpcMesh.Domain.Grpc;
using GrpcMesh.ServiceDefaults.Validation;
using GrpcMesh.User.V1;
using GrpcMesh.UserService.Domain;
using GrpcMesh.UserService.Storage;

namespace GrpcMesh.UserService.Grpc;

/// <summary>
/// Validates each request completely (one INVALID_ARGUMENT listing every bad field) and turns it into domain input.
/// </summary>
internal static class UserRequestParser
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 1000;
    public const int MaxDisplayNameLength = 100;

    private static readonly string[] UpdatablePaths = ["display_name", "email", "credit_limit", "status"];

    public static NewUserAccount Parse(CreateUserRequest request, UserIdGenerator ids)
    {
        new RequestValidator()
            .Email(request.Email, "email")
            .Text(request.DisplayName, "display_name", MaxDisplayNameLength)
            .Money(request.CreditLimit, "credit_limit", positive: false)
            .Key(request.RequestId, "request_id", required: false)
            .ThrowIfInvalid();
        return new NewUserAccount(ids.NewId(), request.Email, request.DisplayName, request.CreditLimit.ToDomain(),
            request.RequestId.Length == 0 ? null : request.RequestId);
    }

    public static string Parse(GetUserRequest request) => ParseUserId(request.UserId);

    public static string Parse(DeleteUserRequest request) => ParseUserId(request.UserId);

    public static UserListQuery Parse(ListUsersRequest request)
    {
        var validator = new RequestValidator().PageSize(request.PageSize, "page_size", MaxPageSize);
        var afterId = request.PageToken.Length == 0 ? null : ListUsersPageToken.Decode(validator, request.PageToken, request.ShowDeleted);

        validator.ThrowIfInvalid();
        return new UserListQuery(request.PageSize == 0 ? DefaultPageSize : request.PageSize, afterId, request.ShowDeleted);
    }

    public static (string UserId, UserAccountUpdate Update) Parse(UpdateUserRequest request)
    {
        var validator = new RequestValidator();
        var user = request.User;
        if (user is null)
        {
            validator.Add("user", "is required");
        }
        else
        {
            validator.Key(user.Id, "user.id");
        }

        var paths = request.UpdateMask?.Paths.Distinct(StringComparer.Ordinal).ToList() ?? [];
        var unknown = paths.Where(p => !UpdatablePaths.Contains(p, StringComparer.Ordinal)).ToList();
        if (paths.Count == 0)
        {
            validator.Add("update_mask", $"must name at least one field to update: {string.Join(", ", UpdatablePaths)}");
        }
        else if (unknown.Count > 0)
        {
            validator.Add("update_mask",
                $"cannot update {string.Join(", ", unknown.Select(p => $"'{p}'"))}; updatable paths: {string.Join(", ", UpdatablePaths)}");
        }

        long? expectedVersion = null;
        if (user is not null)
        {
            foreach (var path in paths)
            {
                _ = path switch
                {
                    "email" => validator.Email(user.Email, "user.email"),
                    "display_name" => validator.Text(user.DisplayName, "user.display_name", MaxDisplayNameLength),
                    "credit_limit" => validator.Money(user.CreditLimit, "user.credit_limit", positive: false),
                    "status" => validator.Check(user.Status is UserStatus.Active or UserStatus.Suspended, "user.status",
                        "must be USER_STATUS_ACTIVE or USER_STATUS_SUSPENDED (use DeleteUser to delete)"),
                    _ => validator,
                };
            }

            if (user.Etag.Length > 0)
            {
                validator.Check(UserAccount.TryParseETag(user.Etag, out var version), "user.etag", "is not an etag returned by UserService");
                expectedVersion = version;
            }
        }

        validator.ThrowIfInvalid();
        var update = new UserAccountUpdate(
            Email: paths.Contains("email") ? user!.Email : null,
            DisplayName: paths.Contains("display_name") ? user!.DisplayName : null,
            CreditLimit: paths.Contains("credit_limit") ? user!.CreditLimit.ToDomain() : null,
            Status: paths.Contains("status") ? (user!.Status == UserStatus.Active ? AccountStatus.Active : AccountStatus.Suspended) : null,
            ExpectedVersion: expectedVersion);
        return (user!.Id, update);
    }

    public static CreditReservationRequest Parse(ReserveCreditRequest request)
    {
        new RequestValidator()
            .Key(request.UserId, "user_id")
            .Key(request.ReservationId, "reservation_id")
            .Money(request.Amount, "amount", positive: true)
            .ThrowIfInvalid();
        return new CreditReservationRequest(request.UserId, request.ReservationId, request.Amount.ToDomain());
    }

    public static string Parse(ReleaseCreditRequest request)
    {
        new RequestValidator().Key(request.ReservationId, "reservation_id").ThrowIfInvalid();
        return request.ReservationId;
    }

    private static string ParseUserId(string userId)
    {
        new RequestValidator().Key(userId, "user_id").ThrowIfInvalid();
        return userId;
    }
}
