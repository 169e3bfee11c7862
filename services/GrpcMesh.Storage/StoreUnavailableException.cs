using System.Data.Common;

namespace GrpcMesh.Storage;

/// <summary>
/// The store could not do the work right now (database unreachable, failing over, busy or locked, pool exhausted); the
/// message says whether anything may have been written. A transient <see cref="DbException"/>, so the services' exception
/// mapping answers UNAVAILABLE, which clients retry, without knowing this type.
/// </summary>
public sealed class StoreUnavailableException(string message, Exception innerException) : DbException(message, innerException)
{
    public override bool IsTransient => true;
}
