namespace GrpcMesh.UserService.Domain;

/// <summary>
/// Times are kept at microsecond precision (what SQLite integers and PostgreSQL timestamptz both hold exactly),
/// so a value reads back exactly as it was written.
/// </summary>
public static class Timestamps
{
    public static DateTimeOffset UtcNowMicroseconds(this TimeProvider timeProvider) =>
        FromUnixMicroseconds(ToUnixMicroseconds(timeProvider.GetUtcNow()));

    public static long ToUnixMicroseconds(DateTimeOffset value) =>
        (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    public static DateTimeOffset FromUnixMicroseconds(long microseconds) =>
        DateTimeOffset.UnixEpoch.AddTicks(microseconds * TimeSpan.TicksPerMicrosecond);
}
