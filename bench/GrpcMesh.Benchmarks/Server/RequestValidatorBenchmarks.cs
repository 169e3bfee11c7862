using BenchmarkDotNet.Attributes;
using Grpc.Core;
using GrpcMesh.ServiceDefaults.Validation;

namespace GrpcMesh.Benchmarks.Server;

/// <summary>
/// ServiceDefaults' <see cref="RequestValidator"/> as the services use it: one id (GetUser), a CreateUser-sized
/// request, and the failure path that builds INVALID_ARGUMENT with google.rpc.BadRequest details.
/// </summary>
[MemoryDiagnoser]
public class RequestValidatorBenchmarks
{
    [Benchmark]
    public bool Key_Valid()
    {
        var validator = new RequestValidator().Key("usr_01JD4X2Y7ZK3Q9", "user_id");
        validator.ThrowIfInvalid();
        return validator.IsValid;
    }

    [Benchmark]
    public bool CreateUserFields_Valid()
    {
        var validator = new RequestValidator()
            .Email("ada.lovelace@example.com", "email")
            .Text("Ada Lovelace", "display_name", 100)
            .Key("req-7f3a9c", "request_id", required: false);
        validator.ThrowIfInvalid();
        return validator.IsValid;
    }

    [Benchmark]
    public StatusCode Key_Invalid_ThrowsInvalidArgument()
    {
        try
        {
            new RequestValidator().Key("not a valid id!", "user_id").ThrowIfInvalid();
            return StatusCode.OK;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }

    [Benchmark]
    public StatusCode CreateUserFields_ThreeInvalid_ThrowsInvalidArgument()
    {
        try
        {
            new RequestValidator()
                .Email("not-an-email", "email")
                .Text("   ", "display_name", 100)
                .Key("bad key", "request_id", required: false)
                .ThrowIfInvalid();
            return StatusCode.OK;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }
}
