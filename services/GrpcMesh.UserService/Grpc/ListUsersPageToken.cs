using GrpcMesh.Domain.Grpc;
using GrpcMesh.ServiceDefaults.Validation;

namespace GrpcMesh.UserService.Grpc;

/// <summary>ListUsers page tokens: the id of the last user returned, bound to <c>show_deleted</c>.</summary>
internal static class ListUsersPageToken
{
    private static readonly PageTokenCodec Codec = new("ListUsers", "show_deleted");

    public static string Encode(string lastUserId, bool showDeleted) => Codec.Encode(Filter(showDeleted), lastUserId);

    /// <returns>The id to continue after, or null with a violation on <c>page_token</c> added.</returns>
    public static string? Decode(RequestValidator validator, string token, bool showDeleted) =>
        Codec.TryDecode<string>(validator, token, Filter(showDeleted), TryParseUserId, out var afterId) ? afterId : null;

    private static string Filter(bool showDeleted) => showDeleted ? "show_deleted=true" : "show_deleted=false";

    private static bool TryParseUserId(ReadOnlySpan<string> parts, out string userId)
    {
        userId = parts.Length == 1 ? parts[0] : "";
        return RequestValidator.IsKey(userId);
    }
}
