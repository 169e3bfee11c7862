using Grpc.Core;
using GrpcMesh.Clients.Statuses;

namespace GrpcMesh.Clients.Tests.Fakes;

/// <summary>Status codes picked by what <see cref="StatusTaxonomy"/> says about them, so behaviour tests never repeat its lists.</summary>
public static class TaxonomyCodes
{
    /// <summary>Codes the callee answered with that do not count against the breaker.</summary>
    public static TheoryData<StatusCode> NotBreakerFailures => Where(kind => kind != StatusKind.Success && !StatusTaxonomy.IsBreakerFailure(kind));

    /// <summary>Codes never retried, whatever the method's idempotency.</summary>
    public static TheoryData<StatusCode> NeverRetried => Where(kind =>
        kind != StatusKind.Success && !StatusTaxonomy.IsRetryable(kind, safeToRepeat: true, neverSent: true, hasPushback: false)
        && !StatusTaxonomy.IsRetryable(kind, safeToRepeat: true, neverSent: true, hasPushback: true));

    private static TheoryData<StatusCode> Where(Func<StatusKind, bool> predicate)
    {
        var data = new TheoryData<StatusCode>();
        foreach (var code in Enum.GetValues<StatusCode>().Where(c => predicate(StatusTaxonomy.KindOf(c))))
        {
            data.Add(code);
        }

        return data;
    }
}
