
namespace GrpcMesh.UserService.Tests.Validation;

/// <summary>CreateUser request validation (answered before the store is touched, so it runs on SQLite only).</summary>
public sealed class CreateUserValidationTests() : UserServiceTest(new SqliteStorage())
{
    public static TheoryData<string, Action<CreateUserRequest>> InvalidRequests => new()
    {
        { "email", r => r.Email = "" },
        { "email", r => r.Email = "not-an-email" },
        { "email", r => r.Email = new string('a', 250) + "@example.com" },
        { "display_name", r => r.DisplayName = "" },
        { "display_name", r => r.DisplayName = "   " },
        { "display_name", r => r.DisplayName = new string('x', 101) },
        { "display_name", r => r.DisplayName = "bell\u0007name" },
        { "credit_limit", r => r.CreditLimit = null },
        { "credit_limit.currency_code", r => r.CreditLimit.CurrencyCode = "usd" },
        { "credit_limit.currency_code", r => r.CreditLimit.CurrencyCode = "" },
        { "credit_limit.currency_code", r => r.CreditLimit.CurrencyCode = "EURO" },
        { "credit_limit.currency_code", r => r.CreditLimit.CurrencyCode = new string('U', 100_000) },
        { "credit_limit.units", r => r.CreditLimit.Units = -1 },
        { "credit_limit.units", r => r.CreditLimit.Units = 1_000_000_000_000_001 },
        { "credit_limit.nanos", r => r.CreditLimit.Nanos = 5 },
        { "credit_limit.nanos", r => r.CreditLimit.Nanos = -10_000_000 },
        { "credit_limit.nanos", r => r.CreditLimit.Nanos = 1_000_000_000 },
        { "request_id", r => r.RequestId = "has space" },
        { "request_id", r => r.RequestId = new string('k', 65) },
    };

    [Theory(Timeout = TestTimeouts.Default)]
    [MemberData(nameof(InvalidRequests))]
    public async Task CreateUser_InvalidField_OneViolationOnThatField(string field, Action<CreateUserRequest> corrupt)
    {
        var request = Requests.NewUser(requestId: "valid-key_1");
        corrupt(request);

        await RpcAssert.InvalidArgumentAsync(() => Client.CreateUserAsync(request, cancellationToken: Ct), field);
        Assert.Empty(await ListAllAsync());
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task CreateUser_SeveralBadFields_OneViolationEach()
    {
        var request = new CreateUserRequest
        {
            Email = "nope",
            DisplayName = "",
            CreditLimit = new Money { CurrencyCode = "us", Units = -5, Nanos = 1 },
            RequestId = "bad id",
        };

        var badRequest = await RpcAssert.InvalidArgumentAsync(() => Client.CreateUserAsync(request, cancellationToken: Ct),
            "email", "display_name", "credit_limit.currency_code", "credit_limit.units", "credit_limit.nanos", "request_id");

        Assert.Equal(6, badRequest.FieldViolations.Count);
        // The shared Money validation: OrderService's ValidationTests expect the same words for unit prices.
        Assert.Equal("must be whole cents: a multiple of 10,000,000 from 0 to 990,000,000 (got 1)",
            badRequest.FieldViolations.Single(v => v.Field == "credit_limit.nanos").Description);
        Assert.Equal("must be between 0 and 1,000,000,000,000,000 (got -5)",
            badRequest.FieldViolations.Single(v => v.Field == "credit_limit.units").Description);
    }
}
