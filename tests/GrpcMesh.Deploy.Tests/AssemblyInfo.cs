using GrpcMesh.Deploy.Tests.Harness;
using GrpcMesh.Testing.Postgres;

[assembly: AssemblyFixture(typeof(PostgresFixture))]
[assembly: AssemblyFixture(typeof(BuiltImages))]
