using Npgsql;

namespace GrpcMesh.Storage;

/// <summary>How a PostgreSQL store should treat an error from Npgsql.</summary>
public static class PostgresErrors
{
    /// <summary>
    /// The transaction was rolled back by the server because of a conflict with another one (serialization failure
    /// 40001, deadlock 40P01, unique violation 23505): re-running the whole unit of work is safe, and its reads then
    /// see what the other transaction committed.
    /// </summary>
    public static bool IsConflict(PostgresException exception) =>
        exception.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.UniqueViolation;

    /// <summary>
    /// The database could not be reached or refused work for now (connection failure or loss, pool or command timeout,
    /// server shutting down or starting, too many connections, serialization/deadlock): the caller may retry later.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.IsTransient
            || postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
            || postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow,
        NpgsqlException npgsql => npgsql.IsTransient,
        TimeoutException => true,
        _ => false,
    };
}
