using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace KuduEmulator;

/// <summary>Time since the scenario started: since the emulator started, or since the last /_emulator/reset.</summary>
internal sealed class ScenarioClock
{
    private long _start = Stopwatch.GetTimestamp();
    private DateTime _startedUtc = DateTime.UtcNow;

    public double ElapsedSeconds => Stopwatch.GetElapsedTime(Volatile.Read(ref _start)).TotalSeconds;

    /// <summary>The wall-clock moment of a scenario time, so a time_stamp agrees exactly with the figures beside it.</summary>
    public DateTime UtcAt(double seconds) => _startedUtc.AddTicks((long)(seconds * TimeSpan.TicksPerSecond));

    public DateTime StartedUtc => _startedUtc;

    public void Restart()
    {
        _startedUtc = DateTime.UtcNow;
        Volatile.Write(ref _start, Stopwatch.GetTimestamp());
    }
}

/// <summary>
/// One scripted figure over time: points (seconds since the scenario started, value), joined by straight lines,
/// flat before the first point and after the last. A CPU time that rises 3.6 s per second is a 90 % storm on 4 cores.
/// </summary>
internal sealed class MetricTimeline
{
    private readonly (double T, double V)[] _points;

    private MetricTimeline((double, double)[] points) => _points = points;

    public double At(double t)
    {
        if (t <= _points[0].T)
        {
            return _points[0].V;
        }
        for (var i = 1; i < _points.Length; i++)
        {
            var (t1, v1) = _points[i];
            if (t <= t1)
            {
                var (t0, v0) = _points[i - 1];
                return t1 == t0 ? v1 : v0 + (v1 - v0) * (t - t0) / (t1 - t0);
            }
        }
        return _points[^1].V;
    }

    /// <summary>A number (constant), an array of [seconds, value] pairs, or a flat [s, v, s, v, ...] array.</summary>
    public static MetricTimeline Parse(JsonElement e, string what)
    {
        var points = new List<(double, double)>();
        switch (e.ValueKind)
        {
            case JsonValueKind.Number or JsonValueKind.String:
                points.Add((0, Number(e, what)));
                break;
            case JsonValueKind.Array when e.EnumerateArray().All(x => x.ValueKind == JsonValueKind.Array):
                foreach (var pair in e.EnumerateArray())
                {
                    if (pair.GetArrayLength() != 2)
                    {
                        throw new InvalidDataException($"{what}: every point is [seconds, value].");
                    }
                    points.Add((Number(pair[0], what), Number(pair[1], what)));
                }
                break;
            case JsonValueKind.Array when e.GetArrayLength() % 2 == 0:
                var flat = e.EnumerateArray().Select(x => Number(x, what)).ToList();
                for (var i = 0; i < flat.Count; i += 2)
                {
                    points.Add((flat[i], flat[i + 1]));
                }
                break;
        }
        if (points.Count == 0)
        {
            throw new InvalidDataException($"{what}: give a number or [[seconds, value], ...].");
        }
        for (var i = 1; i < points.Count; i++)
        {
            if (points[i].Item1 < points[i - 1].Item1)
            {
                throw new InvalidDataException($"{what}: the points must be in time order.");
            }
        }
        return new MetricTimeline([.. points]);
    }

    private static double Number(JsonElement e, string what) =>
        e.ValueKind == JsonValueKind.Number ? e.GetDouble()
        : e.ValueKind == JsonValueKind.String && double.TryParse(e.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d
        : throw new InvalidDataException($"{what}: '{e}' is not a number.");
}

/// <summary>A process's scripted life: its figures over time, and when it appears and exits.</summary>
internal sealed class ProcessScript
{
    public static readonly string[] Metrics = ["privateMemory", "workingSet", "cpuTime", "threadCount", "handleCount"];

    private readonly Dictionary<string, MetricTimeline> _metrics;

    private ProcessScript(Dictionary<string, MetricTimeline> metrics, double? appearAt, double? exitAt)
    {
        _metrics = metrics;
        AppearAt = appearAt;
        ExitAt = exitAt;
    }

    public double? AppearAt { get; }
    public double? ExitAt { get; }

    public bool IsAlive(double t) => (AppearAt is not { } a || t >= a) && (ExitAt is not { } x || t < x);

    public double? Value(string metric, double t) => _metrics.TryGetValue(metric, out var m) ? m.At(t) : null;

    public static ProcessScript? From(ProcessDoc doc, string where)
    {
        if (doc.Timeline is null && doc.AppearAt is null && doc.ExitAt is null)
        {
            return null;
        }
        var metrics = new Dictionary<string, MetricTimeline>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in doc.Timeline ?? [])
        {
            var metric = Metrics.FirstOrDefault(m => m.Equals(name, StringComparison.OrdinalIgnoreCase))
                         ?? throw new InvalidDataException($"{where}: timeline '{name}' is not one of {string.Join(", ", Metrics)}.");
            metrics[metric] = MetricTimeline.Parse(value, $"{where} timeline '{metric}'");
        }
        return new ProcessScript(metrics, doc.AppearAt, doc.ExitAt);
    }
}

/// <summary>
/// What an instance's scenario scripts: its processor count (NUMBER_OF_PROCESSORS of every process on it) and its
/// processes' timelines. Applied whenever the instance's processes are looked at, so every route sees the same.
/// </summary>
internal sealed class InstanceScript(ScenarioClock clock, int? processorCount, IReadOnlyDictionary<int, ProcessScript> processes)
{
    public List<ProcessModel> Live(IEnumerable<ProcessModel> alive)
    {
        var t = clock.ElapsedSeconds;
        var live = new List<ProcessModel>();
        foreach (var p in alive)
        {
            var script = processes.GetValueOrDefault(p.Id);
            if (script is null || script.IsAlive(t))
            {
                live.Add(script is null && processorCount is null ? p : ScriptedProcess.At(p, script, t, clock.UtcAt(t), processorCount));
            }
        }
        return live;
    }

    /// <summary>Attaches the scripts of a site's explicit instances (the scenario's "instances" list).</summary>
    public static void Attach(IReadOnlyList<InstanceState> instances, List<InstanceDoc>? docs, ScenarioClock clock, string siteKey)
    {
        for (var i = 0; i < instances.Count && i < (docs?.Count ?? 0); i++)
        {
            var doc = docs![i];
            if (doc.ProcessorCount is < 1)
            {
                throw new InvalidDataException($"Site '{siteKey}': processorCount must be at least 1.");
            }
            var scripts = new Dictionary<int, ProcessScript>();
            foreach (var p in doc.Processes ?? [])
            {
                if (ProcessScript.From(p, $"Site '{siteKey}' process {p.Id}") is { } script)
                {
                    scripts[p.Id] = script;
                }
            }
            if (scripts.Count > 0 || doc.ProcessorCount is not null)
            {
                instances[i].Script = new InstanceScript(clock, doc.ProcessorCount, scripts);
            }
        }
    }
}
