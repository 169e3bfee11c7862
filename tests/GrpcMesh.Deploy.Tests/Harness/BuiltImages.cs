namespace GrpcMesh.Deploy.Tests.Harness;

/// <summary>Deletes the images <see cref="ImageBuilder"/> published once every test of the assembly is done.</summary>
public sealed class BuiltImages : IAsyncDisposable
{
    public ValueTask DisposeAsync()
    {
        ImageBuilder.DeleteAll();
        return ValueTask.CompletedTask;
    }
}
