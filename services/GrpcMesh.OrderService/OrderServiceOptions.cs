using System.ComponentModel.DataAnnotations;

namespace GrpcMesh.OrderService;

/// <summary>The <c>Orders</c> configuration section: saga timing and the compensation sweeper.</summary>
public sealed class OrderServiceOptions : IValidatableObject
{
    public const string SectionName = "Orders";

    /// <summary>Upper bound on the deadline of every UserService call (the incoming call's deadline may be shorter).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00")]
    public TimeSpan UserServiceTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the sweeper looks for stalled sagas and due compensations.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A saga still reserving credit after this long was interrupted (crash, restart) and is compensated.
    /// Also the time after which a ReserveCredit that was sent can no longer land, so a NOT_FOUND from
    /// ReleaseCredit is only trusted once it has passed.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PendingSagaTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Delay before retrying a failed ReleaseCredit; doubles per attempt up to <see cref="CompensationRetryMaxDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan CompensationRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan CompensationRetryMaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a duplicate CreateOrder waits for the original call's saga to finish before returning the order as it is.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan DuplicateRequestWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most sagas handled per sweep and step.</summary>
    [Range(1, 10_000)]
    public int SweepBatchSize { get; set; } = 100;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PendingSagaTimeout <= UserServiceTimeout * 2)
        {
            yield return new ValidationResult(
                "Orders:PendingSagaTimeout must be more than twice Orders:UserServiceTimeout, or live sagas would be compensated",
                [nameof(PendingSagaTimeout)]);
        }

        if (CompensationRetryMaxDelay < CompensationRetryDelay)
        {
            yield return new ValidationResult(
                "Orders:CompensationRetryMaxDelay must not be less than Orders:CompensationRetryDelay",
                [nameof(CompensationRetryMaxDelay)]);
        }
    }
}
