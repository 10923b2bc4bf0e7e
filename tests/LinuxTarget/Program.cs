using System.Globalization;
using System.Text.Json;
using KuduMarker;

// LinuxTarget [--widgets N] [--payload-bytes B] [--exception] [--ready-file PATH] [--parent-pid PID] [--exit-on-stdin-close]
// A real .NET process with a known heap: N LeakedWidget objects, each holding a string label with a known
// prefix and a byte array of B bytes. With --exception one thread sits in a catch block with a
// MarkerException in flight. Prints one JSON ready line (and writes it to --ready-file), then waits until
// its parent dies (or stdin closes, when asked).

var widgets = 321;
var payloadBytes = 1000;
var exception = false;
var stdinWatch = false;
string? readyFile = null;
int? parentPid = null;
for (var i = 0; i < args.Length; i++)
{
    var value = i + 1 < args.Length ? args[i + 1] : null;
    switch (args[i])
    {
        case "--widgets" when int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n >= 0: widgets = n; i++; break;
        case "--payload-bytes" when int.TryParse(value, CultureInfo.InvariantCulture, out var b) && b >= 0: payloadBytes = b; i++; break;
        case "--ready-file" when value is not null: readyFile = value; i++; break;
        case "--parent-pid" when int.TryParse(value, CultureInfo.InvariantCulture, out var p): parentPid = p; i++; break;
        case "--exception": exception = true; break;
        case "--exit-on-stdin-close": stdinWatch = true; break;
        default:
            Console.Error.WriteLine($"LinuxTarget: bad argument '{args[i]}'. Usage: LinuxTarget [--widgets N] [--payload-bytes B] [--exception] [--ready-file PATH] [--parent-pid PID] [--exit-on-stdin-close]");
            return 2;
    }
}

Heap.Allocate(widgets, payloadBytes);
int? catchThread = exception ? InFlight.Start() : null;

var ready = JsonSerializer.Serialize(new Dictionary<string, object?>
{
    ["pid"] = Environment.ProcessId,
    ["markerType"] = typeof(LeakedWidget).FullName,
    ["widgets"] = widgets,
    ["payloadBytes"] = payloadBytes,
    ["labelPrefix"] = LeakedWidget.LabelPrefix,
    ["exceptionType"] = exception ? typeof(MarkerException).FullName : null,
    ["exceptionThreadId"] = catchThread,
});
if (readyFile is not null)
{
    // Write then rename: a reader polling for the file never sees half of it.
    var full = Path.GetFullPath(readyFile);
    var temp = $"{full}.{Environment.ProcessId}.tmp";
    File.WriteAllText(temp, ready);
    File.Move(temp, full, overwrite: true);
}
Console.Out.WriteLine(ready);
Console.Out.Flush();

using var stop = new ManualResetEventSlim();
if (stdinWatch)
{
    new Thread(() =>
    {
        try
        {
            while (Console.In.ReadLine() is not null)
            {
            }
        }
        catch (IOException)
        {
        }
        stop.Set();
    }) { IsBackground = true, Name = "stdin-watch" }.Start();
}
var watched = parentPid ?? Parent.Current();
while (!stop.Wait(500))
{
    if (watched is { } pid && !Parent.IsAlive(pid))
    {
        break;
    }
}
GC.KeepAlive(Heap.Roots);
return 0;
