using System.Buffers.Binary;
using Google.Protobuf;

namespace GrpcMesh.Testing;

public static class GrpcFrames
{
    /// <summary>A length-prefixed gRPC message frame (uncompressed).</summary>
    public static byte[] Frame(IMessage message) => Frame(message.ToByteArray());

    public static byte[] Frame(byte[] body)
    {
        var frame = new byte[5 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), body.Length);
        body.CopyTo(frame, 5);
        return frame;
    }
}
