using Microsoft.Data.Sqlite;

namespace GrpcMesh.Storage;

/// <summary>How a SQLite store should treat a <see cref="SqliteException"/>.</summary>
public static class SqliteErrors
{
    private const int Busy = 5;
    private const int Locked = 6;
    private const int Constraint = 19;

    /// <summary>The file lock was still held by another writer when the busy timeout ran out: nothing was written, retry later.</summary>
    public static bool IsBusy(SqliteException exception) => exception.SqliteErrorCode is Busy or Locked;

    /// <summary>A UNIQUE, CHECK, NOT NULL or FOREIGN KEY constraint refused the write.</summary>
    public static bool IsConstraint(SqliteException exception) => exception.SqliteErrorCode == Constraint;
}
