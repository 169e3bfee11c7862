using System.Collections.Concurrent;
using GrpcMesh.User.V1;
using UserMessage = GrpcMesh.User.V1.User;

namespace GrpcMesh.Bench.BaselineServer;

/// <summary>Users by id; the load test seeds it through CreateUser like every other scenario.</summary>
public sealed class InMemoryUsers
{
    private readonly ConcurrentDictionary<string, UserMessage> _users = new(StringComparer.Ordinal);
    private long _nextId;

    public UserMessage Add(CreateUserRequest request, DateTime now)
    {
        var timestamp = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(now);
        var user = new UserMessage
        {
            Id = $"usr_{Interlocked.Increment(ref _nextId):D8}",
            Email = request.Email,
            DisplayName = request.DisplayName,
            CreditLimit = request.CreditLimit,
            AvailableCredit = request.CreditLimit,
            Status = UserStatus.Active,
            CreateTime = timestamp,
            UpdateTime = timestamp,
            Etag = "1",
        };
        _users[user.Id] = user;
        return user;
    }

    public UserMessage? Find(string id) => _users.GetValueOrDefault(id);
}
