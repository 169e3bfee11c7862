namespace GrpcMesh.Testing;

/// <summary>A fresh directory under the system temp folder, deleted on dispose. One per test keeps test data isolated.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "grpcmesh")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process may still hold a file open on some platforms; the OS temp cleaner gets it later.
        }
    }
}
