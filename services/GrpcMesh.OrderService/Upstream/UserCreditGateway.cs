using Google.Rpc;
using Grpc.Core;
using GrpcMesh.Clients.Statuses;
using GrpcMesh.User.V1;
using GrpcMesh.Domain.Grpc;
using Microsoft.Extensions.Options;
using DomainMoney = GrpcMesh.Domain.Money;

namespace GrpcMesh.OrderService.Upstream;

/// <summary>
/// The three UserService calls the saga makes. Each call carries the caller's cancellation and a deadline no later
/// than the caller's; failures come back as <see cref="UpstreamFailure"/> values instead of exceptions.
/// </summary>
public sealed class UserCreditGateway(UserService.UserServiceClient client, IOptions<OrderServiceOptions> options)
{
    /// <summary>
    /// The deadline for an outgoing call: the incoming call's, capped at <see cref="OrderServiceOptions.UserServiceTimeout"/>.
    /// gRPC deadlines are wall-clock instants checked by Grpc.Net.Client against the system clock, so they come
    /// from <see cref="DateTime.UtcNow"/> rather than the injectable TimeProvider.
    /// </summary>
    public DateTime DeadlineFor(DateTime incomingDeadline)
    {
        var cap = DateTime.UtcNow + options.Value.UserServiceTimeout;
        return incomingDeadline < cap ? incomingDeadline : cap;
    }

    public Task<UpstreamResult<GrpcMesh.User.V1.User>> GetUserAsync(string userId, DateTime incomingDeadline, CancellationToken cancellationToken) =>
        CallAsync(async deadline =>
                (await client.GetUserAsync(new GetUserRequest { UserId = userId }, deadline: deadline, cancellationToken: cancellationToken)).User,
            DeadlineFor(incomingDeadline), cancellationToken);

    public Task<UpstreamResult<ReserveCreditResponse>> ReserveCreditAsync(
        string userId, string reservationId, DomainMoney amount, DateTime incomingDeadline, CancellationToken cancellationToken) =>
        CallAsync(async deadline => await client.ReserveCreditAsync(
                new ReserveCreditRequest { UserId = userId, ReservationId = reservationId, Amount = amount.ToProto() },
                deadline: deadline, cancellationToken: cancellationToken),
            DeadlineFor(incomingDeadline), cancellationToken);

    public Task<UpstreamResult<ReleaseCreditResponse>> ReleaseCreditAsync(string reservationId, DateTime incomingDeadline, CancellationToken cancellationToken) =>
        CallAsync(async deadline => await client.ReleaseCreditAsync(
                new ReleaseCreditRequest { ReservationId = reservationId }, deadline: deadline, cancellationToken: cancellationToken),
            DeadlineFor(incomingDeadline), cancellationToken);

    /// <remarks>
    /// Only failures of the call become <see cref="UpstreamFailure"/> values; any other exception (a bug) propagates, so
    /// the saga compensates what may have happened and the server's exception mapping logs it with its stack trace.
    /// </remarks>
    private static async Task<UpstreamResult<T>> CallAsync<T>(Func<DateTime, Task<T>> call, DateTime deadline, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await call(deadline);
        }
        catch (RpcException ex) when (StatusTaxonomy.KindOf(ex) is StatusKind.Cancelled or StatusKind.Unavailable or StatusKind.ServerError
            && DateTime.UtcNow >= deadline)
        {
            // The deadline passed first: a stream reset or cancellation racing the client's deadline timer is still a timeout.
            return new UpstreamFailure(StatusCode.DeadlineExceeded, $"deadline exceeded ({ex.StatusCode}: {ex.Status.Detail})");
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Unavailable && StatusTaxonomy.KindOf(ex) == StatusKind.Unavailable)
        {
            // Grpc.Net.Client reports some broken connections (a reset during the HTTP/2 handshake, a stream reset) as
            // INTERNAL; UserService never said that, and the outcome is unknown like any other lost connection.
            return new UpstreamFailure(StatusCode.Unavailable, $"connection to UserService failed: {ex.Status.Detail}");
        }
        catch (RpcException ex)
        {
            var precondition = ex.GetRpcStatus()?.GetDetail<PreconditionFailure>()?.Violations.FirstOrDefault()?.Type;
            return new UpstreamFailure(ex.StatusCode, ex.Status.Detail, precondition);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new UpstreamFailure(StatusCode.Cancelled, "the call was cancelled");
        }
        catch (OperationCanceledException ex)
        {
            return new UpstreamFailure(StatusCode.DeadlineExceeded, ex.Message);
        }
        catch (Exception ex) when (StatusTaxonomy.KindOf(ex) == StatusKind.Unavailable)
        {
            // A transport failure that was not wrapped in an RpcException.
            return new UpstreamFailure(StatusCode.Unavailable, $"{ex.GetType().Name}: {ex.Message}");
        }
    }
}
