using Microsoft.Extensions.Time.Testing;

namespace GrpcMesh.UserService.Tests.Support;

/// <summary>
/// Base for tests that talk to one in-memory UserService on a fresh store of <paramref name="storage"/>'s kind, through
/// the generated client. The service's clock is <see cref="Clock"/>, a fake standing at <see cref="Start"/>.
/// </summary>
public abstract class UserServiceTest(IStorageUnderTest storage) : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2030, 5, 6, 7, 8, 9, 123, TimeSpan.Zero);

    private TestStore? _store;
    private GrpcTestHost<UserServiceMarker>? _host;
    private UserServiceClient? _client;

    protected FakeTimeProvider Clock { get; } = new(Start);

    /// <summary>The provider under test, e.g. for a second, untouched store.</summary>
    protected IStorageUnderTest Storage => storage;

    protected TestStore Store => _store ?? throw NotInitialized();

    protected GrpcTestHost<UserServiceMarker> Host => _host ?? throw NotInitialized();

    protected UserServiceClient Client => _client ?? throw NotInitialized();

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = await storage.CreateStoreAsync(Ct);
        _host = _store.CreateHost(Clock);
        _client = new UserServiceClient(_host.Channel);
    }

    /// <summary>Stops the service and starts a new one on the same store (what a process restart does).</summary>
    protected void RestartService()
    {
        Host.Dispose();
        _host = Store.CreateHost(Clock);
        _client = new UserServiceClient(_host.Channel);
    }

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

    public async ValueTask DisposeAsync()
    {
        _host?.Dispose();
        _host = null;
        if (_store is not null)
        {
            await _store.DisposeAsync();
            _store = null;
        }

        GC.SuppressFinalize(this);
    }

    private static InvalidOperationException NotInitialized() => new("the test's UserService is not initialized yet");
}
