using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace GrpcMesh.Reliability.Tests.Faults;

/// <summary>
/// A loopback TCP proxy in front of a real server that can reset connections the hard way (RST: linger on with a zero
/// timeout, then close), both towards the client and towards the server: every open connection at once
/// (<see cref="ResetAll"/>, mid-call for whatever is in flight), and/or a ratio of new connections as soon as their
/// first bytes arrive (<see cref="ResetNewConnections"/>). Otherwise it forwards bytes unchanged.
/// </summary>
public sealed class ResettingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly ConcurrentDictionary<long, Link> _links = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly Random _random = new(4242);
    private readonly Task _acceptLoop;
    private double _newConnectionResetRatio;
    private long _nextId;
    private int _accepted;
    private int _reset;

    public ResettingProxy(Uri target)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _acceptLoop = AcceptLoopAsync();
    }

    public Uri Address { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Connections reset so far (open ones by <see cref="ResetAll"/> and new ones by the ratio).</summary>
    public int Reset => Volatile.Read(ref _reset);

    /// <summary>From now on each new connection is reset on its first bytes with probability <paramref name="ratio"/> (0 stops it).</summary>
    public void ResetNewConnections(double ratio)
    {
        lock (_lock)
        {
            _newConnectionResetRatio = ratio;
        }
    }

    /// <summary>Resets every open connection now; returns how many.</summary>
    public int ResetAll()
    {
        var count = 0;
        foreach (var (id, link) in _links)
        {
            if (_links.TryRemove(id, out _))
            {
                link.Reset();
                Interlocked.Increment(ref _reset);
                count++;
            }
        }

        return count;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        bool doomed;
        lock (_lock)
        {
            doomed = _newConnectionResetRatio > 0 && _random.NextDouble() < _newConnectionResetRatio;
        }

        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        var link = new Link(client, server);
        var id = Interlocked.Increment(ref _nextId);
        try
        {
            await server.ConnectAsync(_target, _stop.Token);
            if (doomed)
            {
                // Let the client's first bytes (HTTP/2 preface, maybe a request) arrive, then reset instead of forwarding.
                var buffer = new byte[1];
                await client.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                link.Reset();
                Interlocked.Increment(ref _reset);
                return;
            }

            _links[id] = link;
            await Task.WhenAll(PumpAsync(client, server), PumpAsync(server, client));
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A reset (ours or a peer's) or the proxy stopping.
        }
        finally
        {
            _links.TryRemove(id, out _);
            link.Dispose();
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            if (read == 0)
            {
                to.Shutdown(SocketShutdown.Send);
                return;
            }

            await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        ResetAll();
        _stop.Dispose();
    }

    private sealed class Link(Socket client, Socket server) : IDisposable
    {
        /// <summary>Linger on with a zero timeout makes Close send RST instead of FIN, dropping unsent data.</summary>
        public void Reset()
        {
            foreach (var socket in new[] { client, server })
            {
                try
                {
                    socket.LingerState = new LingerOption(true, 0);
                    socket.Close();
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    // Already gone.
                }
            }
        }

        public void Dispose()
        {
            client.Dispose();
            server.Dispose();
        }
    }
}
