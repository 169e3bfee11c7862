using GrpcMesh.Testing.Postgres;

// One throwaway PostgreSQL cluster for the whole assembly, started by the first test that asks for a database.
[assembly: AssemblyFixture(typeof(PostgresFixture))]
