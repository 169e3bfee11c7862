using System.Security.Cryptography;
using System.Text;
using GrpcMesh.Domain;

namespace GrpcMesh.UserService.Domain;

/// <summary>A validated CreateUser request; <see cref="Id"/> is freshly generated and unused if the request is a replay.</summary>
public sealed record NewUserAccount(string Id, string Email, string DisplayName, Money CreditLimit, string? RequestId)
{
    /// <summary>
    /// Identifies the request's content, stored with the request id: a replay with the same request id must carry
    /// the same content (else ALREADY_EXISTS), even after the created user has been updated.
    /// </summary>
    public string RequestFingerprint =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{UserAccount.EmailKey(Email)}\n{DisplayName}\n{CreditLimit.Currency}\n{CreditLimit.Cents}")));

    /// <summary>
    /// For a request whose <see cref="RequestId"/> is already stored with <paramref name="storedFingerprint"/>: returns if
    /// this is a replay of that request, throws <see cref="ResourceConflictException"/> if the id is reused for other content.
    /// </summary>
    public void EnsureReplayOf(string storedFingerprint)
    {
        if (storedFingerprint != RequestFingerprint)
        {
            throw UserConflicts.CreateRequestReused(RequestId ?? "");
        }
    }

    public UserAccount ToAccount(DateTimeOffset now) =>
        new(Id, Email, DisplayName, CreditLimit, ReservedCents: 0, AccountStatus.Active, Version: 1, now, now);
}
