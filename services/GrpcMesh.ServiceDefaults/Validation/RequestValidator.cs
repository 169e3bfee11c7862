using System.Text.RegularExpressions;
using GrpcMesh.ServiceDefaults.Errors;

namespace GrpcMesh.ServiceDefaults.Validation;

/// <summary>
/// Collects every field violation of a request, then throws one INVALID_ARGUMENT listing them all
/// (one BadRequest.FieldViolation per bad field).
/// </summary>
public sealed partial class RequestValidator
{
    private List<FieldViolation>? _violations;

    public bool IsValid => _violations is null;

    public IReadOnlyList<FieldViolation> Violations => _violations ?? [];

    public RequestValidator Add(string field, string description)
    {
        (_violations ??= []).Add(new FieldViolation(field, description));
        return this;
    }

    /// <summary>Adds a violation when <paramref name="condition"/> is false.</summary>
    public RequestValidator Check(bool condition, string field, string description) =>
        condition ? this : Add(field, description);

    public RequestValidator Required(string? value, string field) =>
        Check(!string.IsNullOrWhiteSpace(value), field, "is required");

    /// <summary>Required, at most <paramref name="maxLength"/> characters, no control characters.</summary>
    public RequestValidator Text(string? value, string field, int maxLength, bool required = true)
    {
        if (string.IsNullOrEmpty(value))
        {
            return required ? Add(field, "is required") : this;
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            return Add(field, "must not be blank");
        }

        if (value.Length > maxLength)
        {
            return Add(field, $"must be at most {maxLength} characters (got {value.Length})");
        }

        return value.Any(char.IsControl) ? Add(field, "must not contain control characters") : this;
    }

    /// <summary>An opaque id or idempotency key: 1-64 chars of [A-Za-z0-9_-].</summary>
    public RequestValidator Key(string? value, string field, bool required = true)
    {
        if (string.IsNullOrEmpty(value))
        {
            return required ? Add(field, "is required") : this;
        }

        return Check(IsKey(value), field, "must be 1-64 characters of [A-Za-z0-9_-]");
    }

    /// <summary>True for what <see cref="Key"/> accepts: 1-64 chars of [A-Za-z0-9_-].</summary>
    public static bool IsKey(string? value) => value is not null && KeyPattern().IsMatch(value);

    public RequestValidator Email(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            return Add(field, "is required");
        }

        if (value.Length > 254)
        {
            return Add(field, $"must be at most 254 characters (got {value.Length})");
        }

        return Check(EmailPattern().IsMatch(value), field, "must be an email address like name@example.com");
    }

    public RequestValidator PageSize(int pageSize, string field, int max) =>
        Check(pageSize >= 0 && pageSize <= max, field, $"must be between 0 and {max} (0 means the default)");

    public void ThrowIfInvalid()
    {
        if (_violations is not null)
        {
            throw RpcErrors.InvalidArgument(_violations);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"^[^@\s\p{C}]+@[^@\s\p{C}]+\.[^@\s\p{C}]+$")]
    private static partial Regex EmailPattern();
}
