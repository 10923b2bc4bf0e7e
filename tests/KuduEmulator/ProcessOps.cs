using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace KuduEmulator;

/// <summary>One kill or profile request as the emulator saw it, in arrival order, for tests to check order and timing.</summary>
internal sealed class ProcessOpRecord
{
    public required string Op { get; init; }
    public required string Instance { get; init; }
    public int Pid { get; init; }
    public DateTime Utc { get; init; }
    public int Status { get; set; }
    public bool IisProfiling { get; init; }
    public long Bytes { get; set; }
    public string? Sha256 { get; set; }
}

/// <summary>
/// Kudu's ProfileManager, per site: which processes are being profiled (by instance and pid) and since when, plus a log
/// of kills and profile starts and stops. The .diagsession served is a small valid zip whose bytes depend only on the
/// instance, process and pid, so tests can compare what they stored with what was served.
/// </summary>
internal sealed class ProcessOpsLog
{
    private readonly object _gate = new();
    private readonly Dictionary<(string Instance, int Pid), (DateTime Started, bool Iis)> _profiling = new();
    private readonly List<ProcessOpRecord> _records = [];

    public ProcessOpRecord Record(string op, string instance, int pid, bool iis = false)
    {
        var record = new ProcessOpRecord { Op = op, Instance = instance, Pid = pid, Utc = DateTime.UtcNow, IisProfiling = iis };
        lock (_gate)
        {
            _records.Add(record);
        }
        return record;
    }

    public (bool Running, bool Iis) ProfileState(string instance, int pid)
    {
        lock (_gate)
        {
            return _profiling.TryGetValue((instance, pid), out var p) ? (true, p.Iis) : (false, false);
        }
    }

    /// <summary>Kudu answers 200 also when a profile already runs (and keeps the first).</summary>
    public void StartProfile(string instance, int pid, bool iis)
    {
        lock (_gate)
        {
            _profiling.TryAdd((instance, pid), (DateTime.UtcNow, iis));
        }
    }

    public bool StopProfile(string instance, int pid)
    {
        lock (_gate)
        {
            return _profiling.Remove((instance, pid));
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _profiling.Clear();
            _records.Clear();
        }
    }

    public object Snapshot()
    {
        lock (_gate)
        {
            return new
            {
                profiling = _profiling.Select(kv => new { instance = kv.Key.Instance, pid = kv.Key.Pid, startedUtc = kv.Value.Started, iis = kv.Value.Iis }).ToList(),
                records = _records.Select(r => new
                {
                    op = r.Op, instance = r.Instance, pid = r.Pid, utc = r.Utc, status = r.Status, iisProfiling = r.IisProfiling, bytes = r.Bytes, sha256 = r.Sha256,
                }).ToList(),
            };
        }
    }

    /// <summary>A deterministic OPC-like zip: fixed entry times, content made of the names only.</summary>
    public static byte[] DiagSession(string shortInstance, string processName, int pid)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            var stamp = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
            Add(zip, "[Content_Types].xml", stamp, "<?xml version=\"1.0\" encoding=\"utf-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"xml\" ContentType=\"application/xml\" /></Types>");
            Add(zip, "metadata.xml", stamp, $"<Session Collector=\"KuduEmulator\" Instance=\"{shortInstance}\" Process=\"{processName}\" Pid=\"{pid}\" />");
            var samples = new StringBuilder();
            for (var i = 0; i < 2000; i++)
            {
                samples.Append(CultureInfoInvariant($"{pid},{i},{(i * 7919) % 1000}\n"));
            }
            Add(zip, "cpu/samples.csv", stamp, samples.ToString());
        }
        return buffer.ToArray();
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    private static string CultureInfoInvariant(FormattableString s) => FormattableString.Invariant(s);

    private static void Add(ZipArchive zip, string name, DateTimeOffset stamp, string content)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        entry.LastWriteTime = stamp;
        using var stream = entry.Open();
        stream.Write(Encoding.UTF8.GetBytes(content));
    }
}
