namespace GrpcMesh.OrderService.Domain;

public enum OrderState
{
    /// <summary>Stored; the credit reservation is in progress.</summary>
    Pending = 1,

    /// <summary>Credit reserved.</summary>
    Confirmed = 2,

    /// <summary>Credit was refused or the reservation failed (any reserved credit is released).</summary>
    Rejected = 3,

    /// <summary>Cancelled by the client; its credit is released.</summary>
    Cancelled = 4,
}
