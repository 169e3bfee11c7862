using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace GrpcMesh.Testing.Postgres;

/// <summary>
/// A throwaway PostgreSQL cluster for tests: <c>initdb</c> into a fresh temp folder, listening only on 127.0.0.1 on a
/// free port (unix socket inside that folder), fsync off, stopped and deleted on dispose. No installed server is used or
/// touched. PostgreSQL refuses to run as root, so when the tests run as root the cluster runs as the unprivileged
/// <c>postgres</c> user (created by Debian's package; override with <c>GRPCMESH_POSTGRES_USER</c>) via runuser/su,
/// in a folder under /tmp that user can write. TCP logins need the superuser's random password (scram-sha-256).
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string SuperUser = "grpcmesh";

    /// <summary>Which unprivileged user runs the cluster when the tests run as root.</summary>
    public const string RunAsUserVariable = "GRPCMESH_POSTGRES_USER";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private readonly ProcessRunner _runner;
    private readonly string _binDirectory;
    private NpgsqlDataSource? _admin;

    private PostgresServer(ProcessRunner runner, string binDirectory, string directory, string password)
    {
        _runner = runner;
        _binDirectory = binDirectory;
        Directory = directory;
        Password = password;
    }

    /// <summary>The cluster folder: data, server.log and the unix socket.</summary>
    public string Directory { get; }

    public int Port { get; private set; }

    public string Password { get; }

    /// <summary>The OS user the server runs as (null: the test process's user).</summary>
    public string? RunAsUser => _runner.RunAsUser;

    public string LogFile => Path.Combine(Directory, "server.log");

    /// <summary>TCP connection string for <paramref name="database"/> as the superuser.</summary>
    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = SuperUser,
        Password = Password,
        Database = database,
    }.ConnectionString;

    /// <summary>Creates, configures and starts a new cluster; fails with an install hint when PostgreSQL is missing.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var binDirectory = PostgresBinaries.FindBinDirectory();
        var runAs = Environment.IsPrivilegedProcess ? await UnprivilegedUserAsync().ConfigureAwait(false) : null;

        // The parent folder must be writable by the user running the cluster: /tmp is, for any user.
        var parent = runAs is null ? Path.GetTempPath() : "/tmp";
        var server = new PostgresServer(
            new ProcessRunner(runAs), binDirectory, Path.Combine(parent, $"grpcmesh-pg-{Guid.NewGuid():N}"), RandomNumberGenerator.GetHexString(32, lowercase: true));
        try
        {
            await server.InitializeClusterAsync().ConfigureAwait(false);
            await server.StartServerAsync().ConfigureAwait(false);
            await server.SetPasswordAsync().ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A new empty database (<c>test_&lt;guid&gt;</c>); disposing it drops it.</summary>
    public async Task<PostgresDatabase> CreateDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var name = $"test_{Guid.NewGuid():N}";
        await ExecuteAsync($"CREATE DATABASE {name}", cancellationToken).ConfigureAwait(false);
        return new PostgresDatabase(this, name, ConnectionString(name));
    }

    internal Task DropDatabaseAsync(string name) => ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        if (_admin is not null)
        {
            await _admin.DisposeAsync().ConfigureAwait(false);
        }

        if (File.Exists(Path.Combine(Directory, "postmaster.pid")))
        {
            var stop = await _runner.RunAsync(PgCtl, ["stop", "-D", Directory, "-m", "immediate", "-w", "-t", "30"], CommandTimeout).ConfigureAwait(false);
            if (stop.ExitCode != 0)
            {
                KillPostmaster();
            }
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private string PgCtl => Path.Combine(_binDirectory, "pg_ctl");

    private async Task InitializeClusterAsync()
    {
        await _runner.RunCheckedAsync(Path.Combine(_binDirectory, "initdb"),
        [
            "-D", Directory, "--username", SuperUser, "--auth-local", "trust", "--auth-host", "scram-sha-256",
            "--encoding", "UTF8", "--no-locale", "--no-sync",
        ], CommandTimeout).ConfigureAwait(false);

        // Appended settings win over initdb's; the port is given at start so a taken port can be swapped.
        await File.AppendAllTextAsync(Path.Combine(Directory, "postgresql.conf"), $"""

            # GrpcMesh throwaway test cluster
            listen_addresses = '127.0.0.1'
            unix_socket_directories = '{Directory}'
            max_connections = 300
            fsync = off
            synchronous_commit = off
            full_page_writes = off
            logging_collector = off

            """).ConfigureAwait(false);
    }

    private async Task StartServerAsync()
    {
        const int attempts = 5;
        for (var attempt = 1; ; attempt++)
        {
            Port = FreeLoopbackPort();
            var start = await _runner.RunAsync(PgCtl,
                ["start", "-D", Directory, "-l", LogFile, "-w", "-t", "60", "-o", $"-p {Port.ToString(CultureInfo.InvariantCulture)}"],
                CommandTimeout).ConfigureAwait(false);
            if (start.ExitCode == 0)
            {
                return;
            }

            var log = File.Exists(LogFile) ? await File.ReadAllTextAsync(LogFile).ConfigureAwait(false) : "";
            if (attempt == attempts || !log.Contains("could not bind", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"pg_ctl start failed ({start.ExitCode}):\n{start.Output}\n{LogFile}:\n{log}");
            }
        }
    }

    /// <summary>Over the unix socket (trust, reachable only by the cluster's owner and root), then proves TCP login works.</summary>
    private async Task SetPasswordAsync()
    {
        var socket = new NpgsqlConnectionStringBuilder { Host = Directory, Port = Port, Username = SuperUser, Database = "postgres", Pooling = false };
        await using (var connection = new NpgsqlConnection(socket.ConnectionString))
        {
            await connection.OpenAsync().ConfigureAwait(false);
            await using var command = new NpgsqlCommand($"ALTER ROLE {SuperUser} PASSWORD '{Password}'", connection);
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        _admin = NpgsqlDataSource.Create(ConnectionString());
        await ExecuteAsync("SELECT 1", CancellationToken.None).ConfigureAwait(false);
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        var admin = _admin ?? throw new InvalidOperationException("the PostgreSQL test server is not running");
        await using var command = admin.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private void KillPostmaster()
    {
        try
        {
            var pid = int.Parse(File.ReadLines(Path.Combine(Directory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
            using var postmaster = System.Diagnostics.Process.GetProcessById(pid);
            postmaster.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or FormatException or InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> UnprivilegedUserAsync()
    {
        var user = Environment.GetEnvironmentVariable(RunAsUserVariable) is { Length: > 0 } configured ? configured : "postgres";
        var id = await new ProcessRunner(null).RunAsync("id", ["-u", user], TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        return id.ExitCode == 0 && id.Output.Trim() != "0"
            ? user
            : throw new InvalidOperationException(
                $"the tests run as root and PostgreSQL refuses to run as root, but there is no unprivileged user '{user}' to run the throwaway cluster; {PostgresBinaries.InstallHint} (it creates 'postgres') or set {RunAsUserVariable}");
    }
}
