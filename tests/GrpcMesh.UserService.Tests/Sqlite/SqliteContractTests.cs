using GrpcMesh.UserService.Tests.Contract;

namespace GrpcMesh.UserService.Tests.Sqlite;

// The storage contract suite on SQLite: each test gets a fresh data directory.
public sealed class SqliteCreateUserTests() : CreateUserContract(new SqliteStorage());

public sealed class SqliteGetUserTests() : GetUserContract(new SqliteStorage());

public sealed class SqliteListUsersTests() : ListUsersContract(new SqliteStorage());

public sealed class SqliteUpdateUserTests() : UpdateUserContract(new SqliteStorage());

public sealed class SqliteDeleteUserTests() : DeleteUserContract(new SqliteStorage());

public sealed class SqliteReserveCreditTests() : ReserveCreditContract(new SqliteStorage());

public sealed class SqliteReleaseCreditTests() : ReleaseCreditContract(new SqliteStorage());

public sealed class SqlitePersistenceTests() : PersistenceContract(new SqliteStorage());

public sealed class SqliteReplicaTests() : ReplicaContract(new SqliteStorage());

public sealed class SqliteReadCacheTests() : ReadCacheContract(new SqliteStorage());
