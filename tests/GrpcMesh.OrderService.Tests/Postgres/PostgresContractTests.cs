using GrpcMesh.OrderService.Tests.Contract;
using GrpcMesh.Testing.Postgres;

namespace GrpcMesh.OrderService.Tests.Postgres;

// The OrderService contract suite on PostgreSQL: each test gets a fresh database on the assembly's throwaway cluster.
public sealed class PostgresCreateOrderTests(PostgresFixture postgres) : CreateOrderContract(new PostgresOrderStorage(postgres));

public sealed class PostgresCreateOrderFailureTests(PostgresFixture postgres) : CreateOrderFailureContract(new PostgresOrderStorage(postgres));

public sealed class PostgresIdempotencyTests(PostgresFixture postgres) : IdempotencyContract(new PostgresOrderStorage(postgres));

public sealed class PostgresCancelOrderTests(PostgresFixture postgres) : CancelOrderContract(new PostgresOrderStorage(postgres));

public sealed class PostgresQueryTests(PostgresFixture postgres) : QueryContract(new PostgresOrderStorage(postgres));

public sealed class PostgresRecoveryTests(PostgresFixture postgres) : RecoveryContract(new PostgresOrderStorage(postgres));

public sealed class PostgresReplicaTests(PostgresFixture postgres) : ReplicaContract(new PostgresOrderStorage(postgres));

public sealed class PostgresWatchOrdersTests(PostgresFixture postgres) : WatchOrdersContract(new PostgresOrderStorage(postgres));
