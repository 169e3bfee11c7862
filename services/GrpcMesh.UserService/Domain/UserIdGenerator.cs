using System.Buffers.Binary;
using System.Security.Cryptography;

namespace GrpcMesh.UserService.Domain;

/// <summary>
/// Server-assigned user ids: <c>usr_</c> + 32 lower-case hex digits of a UUIDv7 (48-bit Unix milliseconds,
/// 12-bit counter, 62 random bits). Within one process the ids strictly increase, even when many are made in the
/// same millisecond or the clock stands still (a fake clock): the counter then counts up (RFC 9562 method 1), and
/// on overflow the timestamp field moves one millisecond ahead. So ordering by id is ordering by creation, which is
/// what ListUsers' keyset paging relies on.
/// </summary>
public sealed class UserIdGenerator(TimeProvider timeProvider)
{
    public const string Prefix = "usr_";

    private readonly Lock _lock = new();
    private long _lastMilliseconds = -1;
    private int _counter;

    public string NewId()
    {
        long milliseconds;
        int counter;
        lock (_lock)
        {
            var now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            if (now > _lastMilliseconds)
            {
                _lastMilliseconds = now;
                _counter = 0;
            }
            else if (++_counter > 0xFFF)
            {
                _lastMilliseconds++;
                _counter = 0;
            }

            milliseconds = _lastMilliseconds;
            counter = _counter;
        }

        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes, milliseconds << 16);
        bytes[6] = (byte)(0x70 | (counter >> 8));
        bytes[7] = (byte)counter;
        RandomNumberGenerator.Fill(bytes[8..]);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return Prefix + Convert.ToHexStringLower(bytes);
    }
}
