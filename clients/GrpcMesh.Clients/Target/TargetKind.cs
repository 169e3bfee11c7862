namespace GrpcMesh.Clients.Target;

/// <summary>What a client's address names.</summary>
internal enum TargetKind
{
    /// <summary><c>http://</c> or <c>https://</c>: one endpoint.</summary>
    Direct,

    /// <summary><c>dns:///host:port</c>: every address of the name, re-resolved.</summary>
    Dns,

    /// <summary><c>static:///host1:port1,host2:port2</c>: a fixed list.</summary>
    Static,
}
