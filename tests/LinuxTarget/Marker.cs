using System.Globalization;

namespace KuduMarker;

/// <summary>The marker type a test looks for with "dumpheap -stat": exactly N live instances.</summary>
public sealed class LeakedWidget(string label, byte[] payload)
{
    public const string LabelPrefix = "kudu-marker-widget-";

    public string Label { get; } = label;
    public byte[] Payload { get; } = payload;
}

/// <summary>The exception a thread holds in flight (inside its catch block) with --exception.</summary>
public sealed class MarkerException(string message) : Exception(message);

internal static class Heap
{
    /// <summary>Static roots keep the widgets alive for the life of the process.</summary>
    public static List<LeakedWidget> Roots { get; } = [];

    public static void Allocate(int count, int payloadBytes)
    {
        for (var i = 0; i < count; i++)
        {
            // A distinct string per widget (not interned) and a payload with a recognisable fill.
            var label = LeakedWidget.LabelPrefix + i.ToString("D5", CultureInfo.InvariantCulture);
            var payload = new byte[payloadBytes];
            payload.AsSpan().Fill(0x4B); // 'K'
            Roots.Add(new LeakedWidget(label, payload));
        }
    }
}

internal static class InFlight
{
    /// <summary>Starts a thread that throws, catches and then parks inside the catch block. Returns its managed id.</summary>
    public static int Start()
    {
        using var entered = new ManualResetEventSlim();
        var thread = new Thread(() =>
        {
            try
            {
                throw new MarkerException("kudu-marker exception in flight");
            }
            catch (MarkerException)
            {
                entered.Set();
                Thread.Sleep(Timeout.Infinite); // the exception stays in flight on this thread
            }
        })
        {
            IsBackground = true, // must not keep the process alive once the main thread returns
            Name = "kudu-marker-catch",
        };
        thread.Start();
        entered.Wait();
        return thread.ManagedThreadId;
    }
}

internal static class Parent
{
    /// <summary>The parent pid from /proc/self/stat (Linux); null elsewhere.</summary>
    public static int? Current()
    {
        var fields = StatFields("/proc/self/stat");
        return fields is { Length: > 1 } && int.TryParse(fields[1], CultureInfo.InvariantCulture, out var ppid) ? ppid : null;
    }

    /// <summary>Alive and not a zombie nobody has reaped yet.</summary>
    public static bool IsAlive(int pid)
    {
        if (!OperatingSystem.IsLinux())
        {
            try
            {
                using var p = System.Diagnostics.Process.GetProcessById(pid);
                return !p.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }
        var fields = StatFields($"/proc/{pid}/stat");
        return fields is { Length: > 0 } && fields[0] is not ("Z" or "X");
    }

    /// <summary>The fields after the command name: state, ppid, ... (the name may hold spaces and parentheses).</summary>
    private static string[]? StatFields(string path)
    {
        try
        {
            var text = File.ReadAllText(path);
            var close = text.LastIndexOf(')');
            return close < 0 ? null : text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
