namespace GrpcMesh.UserService.Domain;

/// <summary>The <c>PreconditionFailure.Violation.type</c> values UserService sends with FAILED_PRECONDITION.</summary>
public static class PreconditionTypes
{
    public const string InsufficientCredit = "INSUFFICIENT_CREDIT";
    public const string UserSuspended = "USER_SUSPENDED";
    public const string UserDeleted = "USER_DELETED";
    public const string CurrencyMismatch = "CURRENCY_MISMATCH";
    public const string CreditLimitBelowReserved = "CREDIT_LIMIT_BELOW_RESERVED";
    public const string CreditCurrencyInUse = "CREDIT_CURRENCY_IN_USE";
}
