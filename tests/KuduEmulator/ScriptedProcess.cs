using System.Globalization;

namespace KuduEmulator;

/// <summary>A process as its script says it is at a moment: a copy with the scripted figures put in.</summary>
internal static class ScriptedProcess
{
    public static ProcessModel At(ProcessModel p, ProcessScript? script, double t, DateTime now, int? processorCount)
    {
        long? Bytes(string metric) => script?.Value(metric, t) is { } v ? (long)Math.Round(v) & ~0xFFFL : null; // whole pages
        var privateMemory = Bytes("privateMemory") ?? p.PrivateMemory;
        var workingSet = Bytes("workingSet") ?? p.WorkingSet;
        var (user, privileged) = script?.Value("cpuTime", t) is { } seconds ? Split(p, TimeSpan.FromSeconds(seconds)) : (p.UserCpu, p.PrivilegedCpu);
        var threads = script?.Value("threadCount", t) is { } n && !p.Restricted ? Threads(p, (int)Math.Round(n)) : p.Threads;
        var handles = script?.Value("handleCount", t) is { } h ? (int)Math.Round(h) : p.HandleCount;
        return new ProcessModel
        {
            Id = p.Id,
            Name = p.Name,
            UserName = p.UserName,
            IsScmSite = p.IsScmSite,
            ParentId = p.ParentId,
            Restricted = p.Restricted,
            FileName = p.FileName,
            CommandLine = p.CommandLine,
            StartTime = p.StartTime,
            UserCpu = user,
            PrivilegedCpu = privileged,
            HandleCount = handles,
            WorkingSet = workingSet,
            PeakWorkingSet = Math.Max(p.PeakWorkingSet, workingSet),
            PrivateMemory = privateMemory,
            VirtualMemory = p.VirtualMemory,
            PeakVirtualMemory = p.PeakVirtualMemory,
            PagedSystemMemory = p.PagedSystemMemory,
            NonPagedSystemMemory = p.NonPagedSystemMemory,
            PagedMemory = privateMemory,
            PeakPagedMemory = Math.Max(p.PeakPagedMemory, privateMemory),
            Threads = threads,
            Modules = p.Modules,
            OpenFileHandles = p.OpenFileHandles,
            Environment = processorCount is { } count && p.Environment is { } env ? WithProcessors(env, count) : p.Environment,
            IsWebJob = p.IsWebJob,
            Description = p.Description,
            TimeStamp = now,
        };
    }

    /// <summary>Keeps the process's user/privileged split for the scripted total.</summary>
    private static (TimeSpan User, TimeSpan Privileged) Split(ProcessModel p, TimeSpan total)
    {
        var userShare = p.TotalCpu > TimeSpan.Zero ? (double)p.UserCpu.Ticks / p.TotalCpu.Ticks : 0.8;
        var user = TimeSpan.FromTicks((long)(total.Ticks * userShare));
        return (user, total - user);
    }

    /// <summary>Kudu lists every thread: a scripted count gets that many (made-up ones share a process-unique id range).</summary>
    private static IReadOnlyList<ThreadModel> Threads(ProcessModel p, int count)
    {
        count = Math.Clamp(count, 0, 9_999);
        if (count <= p.Threads.Count)
        {
            return p.Threads.Take(count).ToList();
        }
        var list = p.Threads.ToList();
        for (var k = list.Count; k < count; k++)
        {
            list.Add(new ThreadModel
            {
                Id = 1_000_000 + p.Id * 10_000 + k * 4,
                State = "Wait",
                WaitReason = "UserRequest",
                StartTime = p.StartTime,
                BasePriority = 8,
                CurrentPriority = 8,
            });
        }
        return list;
    }

    private static SortedDictionary<string, string> WithProcessors(IReadOnlyDictionary<string, string> env, int count) =>
        new(env.ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.OrdinalIgnoreCase)
        {
            ["NUMBER_OF_PROCESSORS"] = count.ToString(CultureInfo.InvariantCulture),
        };
}
