using System.Buffers.Text;
using System.Text;
using System.Text.RegularExpressions;

namespace GrpcMesh.UserService.Grpc;

/// <summary>
/// ListUsers page tokens: base64url of <c>v1:{show_deleted 0|1}:{last user id}</c>. Opaque to clients; the filter is
/// inside so a token cannot be replayed with different filters (that would skip or repeat users).
/// </summary>
internal static partial class PageToken
{
    private const string Version = "v1";

    public static string Encode(string lastUserId, bool showDeleted) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{Version}:{(showDeleted ? '1' : '0')}:{lastUserId}"));

    /// <returns>Null when valid (with <paramref name="afterId"/> set), otherwise what is wrong with the token.</returns>
    public static string? TryDecode(string token, bool showDeleted, out string afterId)
    {
        afterId = "";
        if (!Base64Url.IsValid(token))
        {
            return "is not a page token returned by ListUsers";
        }

        var match = TokenPattern().Match(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)));
        if (!match.Success)
        {
            return "is not a page token returned by ListUsers";
        }

        if ((match.Groups["deleted"].Value == "1") != showDeleted)
        {
            return $"was issued for show_deleted={!showDeleted}; repeat the request with the same filters or start from the first page";
        }

        afterId = match.Groups["id"].Value;
        return null;
    }

    [GeneratedRegex("^v1:(?<deleted>[01]):(?<id>[A-Za-z0-9_-]{1,64})$")]
    private static partial Regex TokenPattern();
}
