using GrpcMesh.Storage;
using GrpcMesh.UserService.Domain;

namespace GrpcMesh.UserService.Storage;

/// <summary>
/// Persistence for users and credit reservations. Each mutating method is one atomic unit of work: it reads,
/// applies the domain rules (<see cref="UserAccount"/>, <see cref="CreditReservation"/>) and writes in a single
/// transaction, so concurrent callers can never both win a conflict or overdraw credit. Refusals are thrown as
/// <see cref="DomainException"/>s, a database that cannot do the work now as <see cref="StoreUnavailableException"/>; an
/// implementation never returns half-applied work.
/// </summary>
public interface IUserStore : IMigratedStore
{

    /// <summary>
    /// Inserts the user, or — when <see cref="NewUserAccount.RequestId"/> was seen before with the same
    /// <see cref="NewUserAccount.RequestFingerprint"/> — returns the user that request created (Created = false).
    /// Throws <see cref="ResourceConflictException"/> for a live user with the same email (case-insensitive) or a
    /// request id reused with different content.
    /// </summary>
    Task<CreateUserResult> CreateUserAsync(NewUserAccount user, CancellationToken cancellationToken);

    /// <summary>The user (deleted ones too), or null.</summary>
    Task<UserAccount?> GetUserAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Users with id greater than <see cref="UserListQuery.AfterId"/>, ascending by id.</summary>
    Task<UserPage> ListUsersAsync(UserListQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Applies <see cref="UserAccount.Apply"/> to the current row and writes it only if the row is still at the
    /// version that was read (conditional update). Throws <see cref="ResourceNotFoundException"/>,
    /// <see cref="ConcurrencyConflictException"/>, <see cref="PreconditionFailedException"/>, or
    /// <see cref="ResourceConflictException"/> when the new email belongs to another live user.
    /// </summary>
    Task<UserAccount> UpdateUserAsync(string userId, UserAccountUpdate update, CancellationToken cancellationToken);

    /// <summary>Soft-deletes (frees the email); idempotent. Throws <see cref="ResourceNotFoundException"/>.</summary>
    Task<UserAccount> DeleteUserAsync(string userId, CancellationToken cancellationToken);

    /// <summary>
    /// In one transaction: user exists; a reservation with this id is returned unchanged if it is the same request
    /// (else <see cref="ResourceConflictException"/>); <see cref="UserAccount.EnsureCanReserve"/>; insert.
    /// </summary>
    Task<CreditReservationResult> ReserveCreditAsync(CreditReservationRequest request, CancellationToken cancellationToken);

    /// <summary>Marks the reservation released (idempotent). Throws <see cref="ResourceNotFoundException"/>.</summary>
    Task<CreditReservationResult> ReleaseCreditAsync(string reservationId, CancellationToken cancellationToken);

    /// <summary>A cheap round trip proving the store answers (readiness probe). Throws when it does not.</summary>
    Task PingAsync(CancellationToken cancellationToken);
}
