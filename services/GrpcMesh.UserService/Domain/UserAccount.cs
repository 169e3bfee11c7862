using System.Globalization;
using GrpcMesh.Domain;

namespace GrpcMesh.UserService.Domain;

/// <summary>
/// A user as stored, plus <see cref="ReservedCents"/>: the sum of its active reservations (always in the
/// credit currency, and never more than the limit — the rules below keep both invariants).
/// <see cref="Version"/> grows by one on every change to the user itself and is the etag.
/// </summary>
public sealed record UserAccount(
    string Id,
    string Email,
    string DisplayName,
    Money CreditLimit,
    long ReservedCents,
    AccountStatus Status,
    long Version,
    DateTimeOffset CreateTime,
    DateTimeOffset UpdateTime)
{
    public Money AvailableCredit => CreditLimit with { Cents = Math.Max(0, CreditLimit.Cents - ReservedCents) };

    public string ETag => Version.ToString(CultureInfo.InvariantCulture);

    public string Subject => "users/" + Id;

    /// <summary>The uniqueness key of an email address: emails are unique case-insensitively.</summary>
    public static string EmailKey(string email) => email.ToLowerInvariant();

    public static bool TryParseETag(string etag, out long version) =>
        long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out version) && version > 0;

    /// <summary>
    /// Applies a partial update (the caller has already checked email uniqueness). Throws when the user is
    /// deleted, the expected version is stale, or the new credit limit would not cover what is reserved.
    /// </summary>
    public UserAccount Apply(UserAccountUpdate update, DateTimeOffset now)
    {
        if (Status == AccountStatus.Deleted)
        {
            throw new PreconditionFailedException(PreconditionTypes.UserDeleted, Subject, $"user '{Id}' is deleted and cannot be updated");
        }

        if (update.ExpectedVersion is { } expected && expected != Version)
        {
            throw new ConcurrencyConflictException(
                $"etag '{expected.ToString(CultureInfo.InvariantCulture)}' does not match the current etag '{ETag}' of user '{Id}'; re-read the user and retry");
        }

        if (update.CreditLimit is { } limit)
        {
            if (limit.Currency != CreditLimit.Currency && ReservedCents > 0)
            {
                throw new PreconditionFailedException(PreconditionTypes.CreditCurrencyInUse, Subject,
                    $"credit currency of user '{Id}' cannot change from {CreditLimit.Currency} to {limit.Currency} while credit is reserved");
            }

            if (limit.Cents < ReservedCents)
            {
                throw new PreconditionFailedException(PreconditionTypes.CreditLimitBelowReserved, Subject,
                    $"credit limit {limit} is below the {CreditLimit with { Cents = ReservedCents }} reserved by user '{Id}'");
            }
        }

        return this with
        {
            Email = update.Email ?? Email,
            DisplayName = update.DisplayName ?? DisplayName,
            CreditLimit = update.CreditLimit ?? CreditLimit,
            Status = update.Status ?? Status,
            Version = Version + 1,
            UpdateTime = now,
        };
    }

    /// <summary>Soft delete; deleting a deleted user changes nothing.</summary>
    public UserAccount MarkDeleted(DateTimeOffset now) =>
        Status == AccountStatus.Deleted
            ? this
            : this with { Status = AccountStatus.Deleted, Version = Version + 1, UpdateTime = now };

    /// <summary>
    /// The new reservation for <paramref name="request"/> and the credit left once it is stored; throws as
    /// <see cref="EnsureCanReserve"/> does.
    /// </summary>
    public CreditReservationResult Reserve(CreditReservationRequest request, DateTimeOffset now)
    {
        EnsureCanReserve(request.Amount);
        var reservation = request.ToReservation(now);
        return new CreditReservationResult(reservation, AvailableCredit with { Cents = AvailableCredit.Cents - request.Amount.Cents });
    }

    /// <summary>Throws unless the user is active and has <paramref name="amount"/> of available credit in its currency.</summary>
    public void EnsureCanReserve(Money amount)
    {
        switch (Status)
        {
            case AccountStatus.Deleted:
                throw new PreconditionFailedException(PreconditionTypes.UserDeleted, Subject, $"user '{Id}' is deleted and cannot reserve credit");
            case AccountStatus.Suspended:
                throw new PreconditionFailedException(PreconditionTypes.UserSuspended, Subject, $"user '{Id}' is suspended and cannot reserve credit");
        }

        if (amount.Currency != CreditLimit.Currency)
        {
            throw new PreconditionFailedException(PreconditionTypes.CurrencyMismatch, Subject,
                $"amount is in {amount.Currency} but the credit of user '{Id}' is in {CreditLimit.Currency}");
        }

        if (amount.Cents > AvailableCredit.Cents)
        {
            throw new PreconditionFailedException(PreconditionTypes.InsufficientCredit, Subject,
                $"insufficient credit: requested {amount}, available {AvailableCredit}");
        }
    }
}
