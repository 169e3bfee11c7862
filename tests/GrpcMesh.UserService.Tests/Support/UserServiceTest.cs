namespace GrpcMesh.UserService.Tests.Support;

/// <summary>Base for tests that talk to one fresh in-memory UserService (own SQLite file) through the generated client.</summary>
public abstract class UserServiceTest : IDisposable
{
    private GrpcTestHost<UserServiceMarker>? _host;

    protected UserServiceTest(TimeProvider? timeProvider = null)
    {
        _host = UserServiceHosts.Create(timeProvider: timeProvider);
        Client = new UserServiceClient(_host.Channel);
    }

    protected GrpcTestHost<UserServiceMarker> Host => _host ?? throw new ObjectDisposedException(nameof(UserServiceTest));

    protected UserServiceClient Client { get; }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected async Task<ProtoUser> CreateUserAsync(Money? creditLimit = null, string? email = null) =>
        (await Client.CreateUserAsync(Requests.NewUser(email, creditLimit), cancellationToken: Ct)).User;

    protected async Task<ProtoUser> GetUserAsync(string userId) =>
        (await Client.GetUserAsync(new GetUserRequest { UserId = userId }, cancellationToken: Ct)).User;

    protected async Task<ReserveCreditResponse> ReserveAsync(string userId, Money amount, string? reservationId = null) =>
        await Client.ReserveCreditAsync(Requests.Reserve(userId, amount, reservationId), cancellationToken: Ct);

    protected async Task<List<ProtoUser>> ListAllAsync(bool showDeleted = false, int pageSize = 0)
    {
        var users = new List<ProtoUser>();
        var token = "";
        do
        {
            var page = await Client.ListUsersAsync(
                new ListUsersRequest { PageSize = pageSize, PageToken = token, ShowDeleted = showDeleted }, cancellationToken: Ct);
            users.AddRange(page.Users);
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return users;
    }

    public void Dispose()
    {
        _host?.Dispose();
        _host = null;
        GC.SuppressFinalize(this);
    }
}
