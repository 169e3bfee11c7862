using Google.Protobuf.WellKnownTypes;

namespace GrpcMesh.UserService.Tests.Validation;

/// <summary>UpdateUser request validation (answered before the store is touched, so it runs on SQLite only).</summary>
public sealed class UpdateUserValidationTests() : UserServiceTest(new SqliteStorage())
{
    public static TheoryData<string, UpdateUserRequest> InvalidRequests => new()
    {
        { "update_mask", new UpdateUserRequest { User = new ProtoUser { Id = "usr_a", DisplayName = "x" } } },
        { "update_mask", new UpdateUserRequest { User = new ProtoUser { Id = "usr_a" }, UpdateMask = new FieldMask() } },
        { "update_mask", new UpdateUserRequest { User = new ProtoUser { Id = "usr_a" }, UpdateMask = new FieldMask { Paths = { "nickname" } } } },
        { "update_mask", new UpdateUserRequest { User = new ProtoUser { Id = "usr_a" }, UpdateMask = new FieldMask { Paths = { "id" } } } },
        { "update_mask", new UpdateUserRequest { User = new ProtoUser { Id = "usr_a" }, UpdateMask = new FieldMask { Paths = { "available_credit" } } } },
        { "user.id", new UpdateUserRequest { User = new ProtoUser { DisplayName = "x" }, UpdateMask = new FieldMask { Paths = { "display_name" } } } },
        { "user.display_name", new UpdateUserRequest { User = new ProtoUser { Id = "usr_a", DisplayName = "" }, UpdateMask = new FieldMask { Paths = { "display_name" } } } },
        { "user.email", new UpdateUserRequest { User = new ProtoUser { Id = "usr_a", Email = "x" }, UpdateMask = new FieldMask { Paths = { "email" } } } },
        { "user.credit_limit", new UpdateUserRequest { User = new ProtoUser { Id = "usr_a" }, UpdateMask = new FieldMask { Paths = { "credit_limit" } } } },
        { "user.credit_limit.nanos", new UpdateUserRequest { User = new ProtoUser { Id = "usr_a", CreditLimit = Requests.Usd(1, 1) }, UpdateMask = new FieldMask { Paths = { "credit_limit" } } } },
        { "user.status", new UpdateUserRequest { User = new ProtoUser { Id = "usr_a", Status = UserStatus.Deleted }, UpdateMask = new FieldMask { Paths = { "status" } } } },
        { "user.status", new UpdateUserRequest { User = new ProtoUser { Id = "usr_a" }, UpdateMask = new FieldMask { Paths = { "status" } } } },
        { "user.etag", new UpdateUserRequest { User = new ProtoUser { Id = "usr_a", Etag = "W/\"1\"", DisplayName = "x" }, UpdateMask = new FieldMask { Paths = { "display_name" } } } },
        { "user.etag", new UpdateUserRequest { User = new ProtoUser { Id = "usr_a", Etag = "0", DisplayName = "x" }, UpdateMask = new FieldMask { Paths = { "display_name" } } } },
    };

    [Theory(Timeout = TestTimeouts.Default)]
    [MemberData(nameof(InvalidRequests))]
    public async Task UpdateUser_InvalidRequest_OneViolationOnThatField(string field, UpdateUserRequest request) =>
        await RpcAssert.InvalidArgumentAsync(() => Client.UpdateUserAsync(request, cancellationToken: Ct), field);

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task UpdateUser_MissingUserAndMask_TwoViolations() =>
        await RpcAssert.InvalidArgumentAsync(() => Client.UpdateUserAsync(new UpdateUserRequest(), cancellationToken: Ct), "user", "update_mask");

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task UpdateUser_SeveralBadFields_OneViolationEach()
    {
        var request = new UpdateUserRequest
        {
            User = new ProtoUser { Id = "bad id", Email = "x", DisplayName = "", Status = UserStatus.Unspecified, Etag = "nope" },
            UpdateMask = new FieldMask { Paths = { "email", "display_name", "status", "bogus" } },
        };

        await RpcAssert.InvalidArgumentAsync(() => Client.UpdateUserAsync(request, cancellationToken: Ct),
            "user.id", "update_mask", "user.email", "user.display_name", "user.status", "user.etag");
    }
}
