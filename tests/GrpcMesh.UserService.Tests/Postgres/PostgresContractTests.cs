using GrpcMesh.Testing.Postgres;
using GrpcMesh.UserService.Tests.Contract;

namespace GrpcMesh.UserService.Tests.Postgres;

// The storage contract suite on PostgreSQL: each test gets a fresh database on the assembly's throwaway cluster.
public sealed class PostgresCreateUserTests(PostgresFixture postgres) : CreateUserContract(new PostgresStorage(postgres));

public sealed class PostgresGetUserTests(PostgresFixture postgres) : GetUserContract(new PostgresStorage(postgres));

public sealed class PostgresListUsersTests(PostgresFixture postgres) : ListUsersContract(new PostgresStorage(postgres));

public sealed class PostgresUpdateUserTests(PostgresFixture postgres) : UpdateUserContract(new PostgresStorage(postgres));

public sealed class PostgresDeleteUserTests(PostgresFixture postgres) : DeleteUserContract(new PostgresStorage(postgres));

public sealed class PostgresReserveCreditTests(PostgresFixture postgres) : ReserveCreditContract(new PostgresStorage(postgres));

public sealed class PostgresReleaseCreditTests(PostgresFixture postgres) : ReleaseCreditContract(new PostgresStorage(postgres));

public sealed class PostgresPersistenceTests(PostgresFixture postgres) : PersistenceContract(new PostgresStorage(postgres));

public sealed class PostgresReplicaTests(PostgresFixture postgres) : ReplicaContract(new PostgresStorage(postgres));

public sealed class PostgresReadCacheTests(PostgresFixture postgres) : ReadCacheContract(new PostgresStorage(postgres));
