using System.Globalization;

namespace GrpcMesh.Testing.Postgres;

/// <summary>Where the PostgreSQL server programs (initdb, pg_ctl) are.</summary>
public static class PostgresBinaries
{
    /// <summary>Overrides the search: a folder holding initdb and pg_ctl.</summary>
    public const string BinDirectoryVariable = "GRPCMESH_POSTGRES_BIN";

    public const string InstallHint = "install postgresql: apt-get install -y postgresql";

    /// <summary>
    /// <c>$GRPCMESH_POSTGRES_BIN</c>, else the newest Debian/Ubuntu <c>/usr/lib/postgresql/&lt;version&gt;/bin</c>, else a
    /// PATH folder with initdb; throws with <see cref="InstallHint"/> when none has both initdb and pg_ctl.
    /// </summary>
    public static string FindBinDirectory()
    {
        if (Environment.GetEnvironmentVariable(BinDirectoryVariable) is { Length: > 0 } configured)
        {
            return HasServerPrograms(configured)
                ? configured
                : throw new InvalidOperationException($"{BinDirectoryVariable}={configured} has no initdb and pg_ctl; {InstallHint}");
        }

        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(directory => ParseVersion(Path.GetFileName(directory)))
                .Select(directory => Path.Combine(directory, "bin"))
            : [];
        var onPath = ProcessRunner.FindOnPath("initdb") is { } initdb ? [Path.GetDirectoryName(initdb)!] : Array.Empty<string>();
        return debian.Concat(onPath).FirstOrDefault(HasServerPrograms)
            ?? throw new InvalidOperationException(
                $"PostgreSQL server programs (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin or on PATH; the PostgreSQL storage tests start a throwaway cluster with them. {InstallHint} (or set {BinDirectoryVariable})");
    }

    private static bool HasServerPrograms(string directory) =>
        File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "pg_ctl"));

    private static double ParseVersion(string name) =>
        double.TryParse(name, NumberStyles.Float, CultureInfo.InvariantCulture, out var version) ? version : -1;
}
