using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using GrpcMesh.ServiceDefaults.Validation;

namespace GrpcMesh.Domain.Grpc;

/// <summary>
/// Opaque, versioned page tokens of one List RPC: base64url of the version, the request's filters and the position of the
/// last item returned, newline-separated. The filters are inside so that a token cannot be replayed with different filters
/// (the next page would skip or repeat items); anything <see cref="Encode"/> did not produce is refused on <c>page_token</c>.
/// </summary>
/// <param name="listMethod">The RPC that issues the tokens, e.g. <c>ListUsers</c>.</param>
/// <param name="filterFields">The request fields <c>filter</c> is made of, e.g. <c>user_id</c>.</param>
public sealed class PageTokenCodec(string listMethod, string filterFields)
{
    public const string Field = "page_token";

    private const string Version = "p1";
    private const char Separator = '\n';

    /// <summary>Turns the position parts of a page back into a position; false when they are not one.</summary>
    public delegate bool PositionParser<T>(ReadOnlySpan<string> parts, [MaybeNullWhen(false)] out T position);

    public string Encode(string filter, params ReadOnlySpan<string> position) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Join(Separator, [Version, filter, .. position])));

    /// <summary>
    /// The position in <paramref name="token"/>, or false with a violation on <c>page_token</c> added to
    /// <paramref name="validator"/> when the token is malformed or was issued for other filters than <paramref name="filter"/>.
    /// </summary>
    public bool TryDecode<T>(RequestValidator validator, string token, string filter, PositionParser<T> parse,
        [MaybeNullWhen(false)] out T position)
    {
        position = default;
        if (!Base64Url.IsValid(token))
        {
            validator.Add(Field, Malformed);
            return false;
        }

        var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)).Split(Separator);
        if (parts.Length < 2 || parts[0] != Version || !parse(parts.AsSpan(2), out position))
        {
            validator.Add(Field, Malformed);
            return false;
        }

        if (parts[1] != filter)
        {
            validator.Add(Field, $"was issued for a different {filterFields}; repeat the request with the same {filterFields} "
                + "or start again without a page_token");
            position = default;
            return false;
        }

        return true;
    }

    private string Malformed =>
        $"is not a page token returned by {listMethod}; pass next_page_token from the previous response unchanged";
}
