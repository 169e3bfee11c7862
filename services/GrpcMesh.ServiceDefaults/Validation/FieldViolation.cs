namespace GrpcMesh.ServiceDefaults.Validation;

/// <summary>One invalid request field: its proto path (e.g. <c>items[2].quantity</c>) and what is wrong.</summary>
public readonly record struct FieldViolation(string Field, string Description);
