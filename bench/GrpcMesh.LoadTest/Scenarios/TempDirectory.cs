namespace GrpcMesh.LoadTest.Scenarios;

/// <summary>A fresh folder under the system temp directory, deleted on dispose (e.g. a server's SQLite data).</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix)
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
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
            // a straggling file handle; the OS cleans temp eventually
        }
    }
}
