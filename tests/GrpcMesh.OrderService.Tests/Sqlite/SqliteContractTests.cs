using GrpcMesh.OrderService.Tests.Contract;

namespace GrpcMesh.OrderService.Tests.Sqlite;

// The OrderService contract suite on SQLite: each test gets a fresh data directory.
public sealed class SqliteCreateOrderTests() : CreateOrderContract(new SqliteOrderStorage());

public sealed class SqliteCreateOrderFailureTests() : CreateOrderFailureContract(new SqliteOrderStorage());

public sealed class SqliteIdempotencyTests() : IdempotencyContract(new SqliteOrderStorage());

public sealed class SqliteCancelOrderTests() : CancelOrderContract(new SqliteOrderStorage());

public sealed class SqliteQueryTests() : QueryContract(new SqliteOrderStorage());

public sealed class SqliteRecoveryTests() : RecoveryContract(new SqliteOrderStorage());

public sealed class SqliteReplicaTests() : ReplicaContract(new SqliteOrderStorage());

public sealed class SqliteWatchOrdersTests() : WatchOrdersContract(new SqliteOrderStorage());
