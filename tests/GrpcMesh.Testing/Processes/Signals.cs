using System.Runtime.InteropServices;
using Xunit;

namespace GrpcMesh.Testing.Processes;

/// <summary>POSIX signals to processes the tests started.</summary>
public static partial class Signals
{
    private const int Sigterm = 15;

    /// <summary>Sends SIGTERM, as Kubernetes or systemd would.</summary>
    public static void Terminate(int pid) => Assert.Equal(0, Kill(pid, Sigterm));

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
