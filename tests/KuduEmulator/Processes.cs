namespace KuduEmulator;

/// <summary>One emulated process. Immutable: killing removes it from its instance.</summary>
internal sealed class ProcessModel
{
    public required int Id { get; init; }
    public required string Name { get; init; }
    public string? UserName { get; init; }
    public bool IsScmSite { get; init; }
    public int ParentId { get; init; }
    /// <summary>Reads fail (access denied): Kudu reports its sentinels.</summary>
    public bool Restricted { get; init; }
    public required string FileName { get; init; }
    public string? CommandLine { get; init; }
    public DateTime StartTime { get; init; }
    public TimeSpan UserCpu { get; init; }
    public TimeSpan PrivilegedCpu { get; init; }
    public TimeSpan TotalCpu => UserCpu + PrivilegedCpu;
    public int HandleCount { get; init; }
    public long WorkingSet { get; init; }
    public long PeakWorkingSet { get; init; }
    public long PrivateMemory { get; init; }
    public long VirtualMemory { get; init; }
    public long PeakVirtualMemory { get; init; }
    public long PagedSystemMemory { get; init; }
    public long NonPagedSystemMemory { get; init; }
    public long PagedMemory { get; init; }
    public long PeakPagedMemory { get; init; }
    public IReadOnlyList<ThreadModel> Threads { get; init; } = [];
    public IReadOnlyList<ModuleModel> Modules { get; init; } = [];
    public IReadOnlyList<string> OpenFileHandles { get; init; } = [];
    /// <summary>Null when unreadable (restricted).</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }
    public bool IsWebJob { get; init; }
    public string? Description { get; init; }
    /// <summary>When a scripted process's figures were taken (its time_stamp); null: the moment the detail is written.</summary>
    public DateTime? TimeStamp { get; init; }
}

internal sealed class ThreadModel
{
    public required int Id { get; init; }
    public required string State { get; init; }
    public string? WaitReason { get; init; }
    public long StartAddress { get; init; }
    public int CurrentPriority { get; init; }
    public int BasePriority { get; init; }
    public string PriorityLevel { get; init; } = "Normal";
    public DateTime StartTime { get; init; }
    public TimeSpan UserCpu { get; init; }
    public TimeSpan PrivilegedCpu { get; init; }
}

internal sealed class ModuleModel
{
    public required long BaseAddress { get; init; }
    public required string FilePath { get; init; }
    public string FileName => FilePath[(FilePath.LastIndexOf('\\') + 1)..];
    public string? FileVersion { get; init; }
    public string? FileDescription { get; init; }
    public string? Product { get; init; }
    public string? ProductVersion { get; init; }
    public int ModuleMemorySize { get; init; }
}

/// <summary>One worker (instance) of a site: its id (the ARRAffinity value) and its live processes.</summary>
internal sealed class InstanceState
{
    private readonly IReadOnlyList<ProcessModel> _initial;
    private readonly object _gate = new();
    private List<ProcessModel> _alive;
    private int[] _initialTargets = [];
    private volatile int[] _linuxTargets = []; // replaced whole, never changed in place
    private int _monitorDump;

    public InstanceState(string id, string machineName, IReadOnlyList<ProcessModel> processes)
    {
        Id = id;
        MachineName = machineName;
        _initial = processes;
        _alive = [.. processes];
    }

    public string Id { get; }
    public string MachineName { get; }

    /// <summary>The scenario's script of this instance (timelines, processor count); null: processes as built.</summary>
    public InstanceScript? Script { get; set; }

    /// <summary>The processes as they are now (under the gate): scripted ones only while alive, with their figures now.</summary>
    private List<ProcessModel> Live() => Script is { } script ? script.Live(_alive) : _alive;

    public IReadOnlyList<ProcessModel> Snapshot()
    {
        lock (_gate)
        {
            return [.. Live()];
        }
    }

    public ProcessModel? Find(int id)
    {
        lock (_gate)
        {
            return Live().Find(p => p.Id == id);
        }
    }

    /// <summary>Kudu's special ids: 0 = its own w3wp (the SCM site), -1 = the first other w3wp.</summary>
    public ProcessModel? Resolve(int id)
    {
        lock (_gate)
        {
            var live = Live();
            return id switch
            {
                0 => live.Find(p => p.IsScmSite),
                -1 => live.Find(p => !p.IsScmSite && p.Name.Equals("w3wp", StringComparison.OrdinalIgnoreCase)),
                _ => live.Find(p => p.Id == id),
            };
        }
    }

    /// <summary>Kills the process and its descendants (Kudu kills with includesChildren).</summary>
    public bool Kill(int id)
    {
        lock (_gate)
        {
            if (!_alive.Exists(p => p.Id == id))
            {
                return false;
            }
            var doomed = new HashSet<int> { id };
            bool grew;
            do
            {
                grew = false;
                foreach (var p in _alive)
                {
                    if (doomed.Contains(p.ParentId) && doomed.Add(p.Id))
                    {
                        grew = true;
                    }
                }
            } while (grew);
            _alive = _alive.Where(p => !doomed.Contains(p.Id)).ToList();
            return true;
        }
    }

    /// <summary>Linux: the pids of the real .NET processes this instance's dotnet-monitor may see.</summary>
    public IReadOnlyList<int> LinuxTargets => _linuxTargets;

    public void InitLinuxTargets(IEnumerable<int> pids)
    {
        _initialTargets = [.. pids.Distinct()];
        SetLinuxTargets(_initialTargets);
    }

    public void SetLinuxTargets(IEnumerable<int> pids) => _linuxTargets = [.. pids.Distinct()];

    /// <summary>dotnet-monitor runs one dump at a time (per app container, so per instance).</summary>
    public bool TryEnterMonitorDump() => Interlocked.CompareExchange(ref _monitorDump, 1, 0) == 0;

    public void ExitMonitorDump() => Volatile.Write(ref _monitorDump, 0);

    public void Reset()
    {
        lock (_gate)
        {
            _alive = [.. _initial];
        }
        SetLinuxTargets(_initialTargets);
        IsDown = false;
    }

    /// <summary>A stopped instance (scaled in, moved): the front end routes its cookie elsewhere, ARM no longer lists it.</summary>
    public bool IsDown
    {
        get => Volatile.Read(ref _down);
        set => Volatile.Write(ref _down, value);
    }

    private bool _down;
}
