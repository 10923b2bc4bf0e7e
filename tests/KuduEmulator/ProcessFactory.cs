namespace KuduEmulator;

/// <summary>
/// Builds the instances and processes of a site. Everything is derived from hashes of the site
/// key, instance and position, so ids and figures are the same on every run.
/// </summary>
internal static class ProcessFactory
{
    private enum Role { Scm, App, Child }

    public static IReadOnlyList<InstanceState> BuildInstances(SiteFacts site, SiteDoc doc, DateTime boot)
    {
        var instances = new List<InstanceState>();
        var used = new HashSet<int>(); // shared by the instances so pids differ between them too
        var explicitInstances = doc.Instances ?? [];
        var count = explicitInstances.Count > 0 ? explicitInstances.Count : Math.Max(1, doc.InstanceCount ?? 1);
        for (var i = 0; i < count; i++)
        {
            var given = i < explicitInstances.Count ? explicitInstances[i] : null;
            var id = string.IsNullOrWhiteSpace(given?.Id) ? InstanceId(site, i) : given.Id.Trim();
            var machine = string.IsNullOrWhiteSpace(given?.MachineName) ? MachineName(site, i) : given.MachineName.Trim();
            var processes = given?.Processes is { } list
                ? FromDocs(site, doc, id, machine, list, boot, used)
                : Generate(site, doc, id, machine, boot, used);
            instances.Add(new InstanceState(id, machine, processes));
        }
        if (instances.Select(i => i.Id).Distinct(StringComparer.OrdinalIgnoreCase).Count() != instances.Count)
        {
            throw new InvalidDataException($"Site '{site.Key}' has two instances with the same id.");
        }
        return instances;
    }

    /// <summary>64 lower-case hex characters, like a real ARRAffinity value.</summary>
    public static string InstanceId(SiteFacts site, int index) => Det.Hex(64, site.Key, "instance", index);

    public static string MachineName(SiteFacts site, int index) =>
        "RD" + Det.Hex(12, site.Key, "machine", index).ToUpperInvariant();

    private static List<ProcessModel> Generate(SiteFacts site, SiteDoc doc, string iid, string machine, DateTime boot,
        HashSet<int> used)
    {
        var ids = new IdAllocator(site.Key, iid, used);
        var was = WasPid(site, iid);
        var result = new List<ProcessModel>
        {
            Build(site, doc, iid, machine, boot, ids, "w3wp", Role.Scm, 0, ids.Next(), was, null),
        };
        var appWorkers = Math.Max(0, doc.AppWorkers ?? 1);
        for (var w = 0; w < appWorkers; w++)
        {
            result.Add(Build(site, doc, iid, machine, boot, ids, "w3wp", Role.App, w, ids.Next(), was, null));
        }
        var parent = appWorkers > 0 ? result[1] : result[0];
        var n = 0;
        foreach (var name in doc.ExtraProcesses ?? [])
        {
            result.Add(Build(site, doc, iid, machine, boot, ids, name, Role.Child, n++, ids.Next(), parent.Id, parent));
        }
        return result;
    }

    private static List<ProcessModel> FromDocs(SiteFacts site, SiteDoc doc, string iid, string machine,
        List<ProcessDoc> docs, DateTime boot, HashSet<int> used)
    {
        var ids = new IdAllocator(site.Key, iid, used);
        foreach (var p in docs)
        {
            ids.Reserve(p.Id);
        }
        var was = WasPid(site, iid);
        var firstApp = docs.FirstOrDefault(p => IsW3wp(p.Name) && !IsScm(p));
        var result = new List<ProcessModel>();
        var index = 0;
        foreach (var p in docs)
        {
            var name = string.IsNullOrWhiteSpace(p.Name) ? "w3wp" : p.Name.Trim();
            var role = IsScm(p) ? Role.Scm : IsW3wp(name) ? Role.App : Role.Child;
            var parentId = p.ParentId ?? (role == Role.Child && firstApp is not null ? firstApp.Id : was);
            var model = Build(site, doc, iid, machine, boot, ids, name, role, index++, p.Id, parentId, null, p);
            result.Add(model);
        }
        return result;
    }

    private static bool IsW3wp(string? name) => string.Equals(name ?? "w3wp", "w3wp", StringComparison.OrdinalIgnoreCase);

    private static bool IsScm(ProcessDoc p) =>
        p.IsScmSite ?? (p.UserName?.Contains("~1", StringComparison.Ordinal) ?? false);

    /// <summary>The IIS process that starts every w3wp; outside the sandbox, so never listed.</summary>
    private static int WasPid(SiteFacts site, string iid) => Det.Range(300, 1000, site.Key, iid, "was");

    private static ProcessModel Build(SiteFacts site, SiteDoc doc, string iid, string machine, DateTime boot,
        IdAllocator ids, string name, Role role, int index, int pid, int parentId, ProcessModel? parent,
        ProcessDoc? given = null)
    {
        object[] seed = [site.Key, iid, name, role, index];
        var pool = role == Role.Scm ? "~1" + site.PoolName : site.PoolName;
        var restricted = given?.Restricted ?? false;
        var userName = given?.UserName ?? (restricted ? null : $"IIS APPPOOL\\{pool}");

        var start = given?.StartTime?.ToUniversalTime() ?? role switch
        {
            Role.Scm => boot - TimeSpan.FromSeconds(Det.Range(2 * 3600, 30 * 3600, seed)),
            Role.App => boot - TimeSpan.FromSeconds(Det.Range(3600, 20 * 3600, seed)),
            _ => (parent?.StartTime ?? boot - TimeSpan.FromHours(1)) + TimeSpan.FromMilliseconds(Det.Range(800, 9000, seed)),
        };
        start = start.AddTicks(Det.Range(1, 10_000_000, [.. seed, "ticks"])); // 7 significant fraction digits

        var workingSet = given?.WorkingSet ?? role switch
        {
            Role.Scm => Det.Range64(70L << 20, 160L << 20, [.. seed, "ws"]),
            Role.App => Det.Range64(180L << 20, 900L << 20, [.. seed, "ws"]),
            _ => Det.Range64(90L << 20, 520L << 20, [.. seed, "ws"]),
        } & ~0xFFFL; // whole 4 KB pages
        var privateMemory = given?.PrivateMemory ?? (workingSet + Det.Range64(8L << 20, 120L << 20, [.. seed, "pm"])) & ~0xFFFL;
        var totalCpuTicks = Det.Range64(TimeSpan.TicksPerSecond * 3, TimeSpan.TicksPerHour, [.. seed, "cpu"]);
        var userCpu = totalCpuTicks * Det.Range(62, 93, [.. seed, "user"]) / 100;
        var threadCount = given?.ThreadCount ?? Det.Range(role == Role.Child ? 14 : 22, 68, [.. seed, "threads"]);

        var environment = restricted ? null : Environment(site, doc, iid, machine, role, pool, name, given);
        return new ProcessModel
        {
            Id = pid,
            Name = name,
            UserName = userName,
            IsScmSite = role == Role.Scm,
            ParentId = parentId,
            Restricted = restricted,
            FileName = given?.FileName ?? FilePath(name),
            CommandLine = given?.CommandLine ?? CommandLine(site, name, role, pool, iid),
            StartTime = start,
            UserCpu = TimeSpan.FromTicks(userCpu),
            PrivilegedCpu = TimeSpan.FromTicks(totalCpuTicks - userCpu),
            HandleCount = given?.HandleCount ?? Det.Range(420, 2600, [.. seed, "handles"]),
            WorkingSet = workingSet,
            PeakWorkingSet = (workingSet + Det.Range64(1, workingSet / 3, [.. seed, "pws"])) & ~0xFFFL,
            PrivateMemory = privateMemory,
            // A 64-bit process reserves ~2 TB of address space; real w3wp figures look like this.
            VirtualMemory = (2_199_023_255_552L + Det.Range64(40L << 20, 900L << 20, [.. seed, "vm"])) & ~0xFFFFL,
            PeakVirtualMemory = (2_199_023_255_552L + Det.Range64(900L << 20, 1400L << 20, [.. seed, "pvm"])) & ~0xFFFFL,
            PagedSystemMemory = Det.Range64(280_000, 900_000, [.. seed, "psm"]) & ~0x7L,
            NonPagedSystemMemory = Det.Range64(40_000, 190_000, [.. seed, "npsm"]) & ~0x7L,
            PagedMemory = privateMemory,
            PeakPagedMemory = (privateMemory + Det.Range64(1L << 20, 64L << 20, [.. seed, "ppm"])) & ~0xFFFL,
            Threads = restricted ? [] : Threads(ids, threadCount, start, seed),
            Modules = restricted ? [] : Modules(name, role, seed),
            OpenFileHandles = restricted ? [] : Handles(site, name, role),
            Environment = environment,
            IsWebJob = given?.IsWebJob ?? false,
            Description = given?.Description,
        };
    }

    private static string FilePath(string name) => name.ToLowerInvariant() switch
    {
        "w3wp" => @"C:\Windows\System32\inetsrv\w3wp.exe",
        "dotnet" => @"C:\Program Files\dotnet\dotnet.exe",
        "node" => @"C:\Program Files\nodejs\node.exe",
        "java" => @"C:\Program Files\Java\microsoft-jdk-17.0.13\bin\java.exe",
        "func" => @"C:\Program Files (x86)\SiteExtensions\Functions\4.1037.0\64bit\Microsoft.Azure.WebJobs.Script.WebHost.exe",
        _ => $@"C:\home\site\wwwroot\{name}.exe",
    };

    private static string CommandLine(SiteFacts site, string name, Role role, string pool, string iid)
    {
        if (name.Equals("w3wp", StringComparison.OrdinalIgnoreCase))
        {
            var pipe = Det.Guid(site.Key, iid, pool, "ipm");
            return $@"c:\windows\system32\inetsrv\w3wp.exe -ap ""{pool}"" -v ""v4.0"" -a \\.\pipe\iisipm{pipe} -h ""C:\inetpub\temp\apppools\{pool}\{pool}.config"" -w """" -m 0 -t 20 -ta 0";
        }
        if (name.Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return site.IsFunctionApp
                ? $@"""C:\Program Files\dotnet\dotnet.exe"" ""C:\home\site\wwwroot\{site.Name}.dll"" --host 127.0.0.1 --port 51{Det.Range(100, 999, site.Key, iid)} --workerId {Det.Guid(site.Key, iid, "worker")} --requestId {Det.Guid(site.Key, iid, "request")} --grpcMaxMessageLength 2147483647"
                : $@"""C:\Program Files\dotnet\dotnet.exe"" ""C:\home\site\wwwroot\{site.Name}.dll""";
        }
        if (name.Equals("node", StringComparison.OrdinalIgnoreCase))
        {
            return @"""C:\Program Files\nodejs\node.exe"" C:\home\site\wwwroot\server.js";
        }
        return $"\"{FilePath(name)}\"";
    }

    private static List<ThreadModel> Threads(IdAllocator ids, int count, DateTime processStart, object[] seed)
    {
        string[] waitReasons = ["UserRequest", "EventPairLow", "Executive", "WrQueue", "DelayExecution"];
        var threads = new List<ThreadModel>(count);
        for (var t = 0; t < count; t++)
        {
            object[] ts = [.. seed, "thread", t];
            var running = t == 0 || Det.Range(0, 10, ts) == 0;
            var cpu = Det.Range64(0, TimeSpan.TicksPerMinute * 5, [.. ts, "cpu"]);
            var user = cpu * Det.Range(50, 95, [.. ts, "u"]) / 100;
            threads.Add(new ThreadModel
            {
                Id = ids.Next(),
                State = running ? "Running" : "Wait",
                WaitReason = running ? null : waitReasons[Det.Range(0, waitReasons.Length, [.. ts, "why"])],
                StartAddress = 0x7FF800000000L + Det.Range64(0x10000, 0xFFFFFFFF, [.. ts, "addr"]),
                BasePriority = 8,
                CurrentPriority = 8 + Det.Range(0, 3, [.. ts, "prio"]),
                StartTime = processStart + TimeSpan.FromTicks(Det.Range64(TimeSpan.TicksPerMillisecond * 30, TimeSpan.TicksPerMinute * 20, [.. ts, "start"])),
                UserCpu = TimeSpan.FromTicks(user),
                PrivilegedCpu = TimeSpan.FromTicks(cpu - user),
            });
        }
        return threads;
    }

    private static List<ModuleModel> Modules(string name, Role role, object[] seed)
    {
        const string win = "10.0.20348.2849 (WinBuild.160101.0800)";
        const string net = "8.0.1125.51716 @Commit: 2f2c1a5d6b7f3a4b9e8c0d1e2f3a4b5c6d7e8f90";
        var list = new List<(string Path, string Version, string Product, string Description)>
        {
            (@"C:\Windows\SYSTEM32\ntdll.dll", win, "Microsoft® Windows® Operating System", "NT Layer DLL"),
            (@"C:\Windows\System32\KERNEL32.DLL", win, "Microsoft® Windows® Operating System", "Windows NT BASE API Client DLL"),
            (@"C:\Windows\System32\KERNELBASE.dll", win, "Microsoft® Windows® Operating System", "Windows NT BASE API Client DLL"),
            (@"C:\Windows\System32\ucrtbase.dll", win, "Microsoft® Windows® Operating System", "Microsoft® C Runtime Library"),
        };
        if (name.Equals("w3wp", StringComparison.OrdinalIgnoreCase))
        {
            list.Add((@"C:\Windows\System32\inetsrv\w3wp.exe", "10.0.20348.1 (WinBuild.160101.0800)", "Internet Information Services", "IIS Worker Process"));
            list.Add((@"C:\Windows\System32\inetsrv\iiscore.dll", "10.0.20348.2849 (WinBuild.160101.0800)", "Internet Information Services", "IIS Web Server Core"));
            list.Add((@"C:\Windows\System32\inetsrv\w3dt.dll", "10.0.20348.1 (WinBuild.160101.0800)", "Internet Information Services", "IIS Worker Process Dispatcher"));
            if (role == Role.Scm)
            {
                list.Add((@"C:\Windows\Microsoft.NET\Framework64\v4.0.30319\clr.dll", "4.8.9290.0 built by: NET481REL1LAST_B", "Microsoft® .NET Framework", "Microsoft .NET Runtime Common Language Runtime - WorkStation"));
                list.Add((@"C:\Windows\Microsoft.NET\Framework64\v4.0.30319\clrjit.dll", "4.8.9290.0 built by: NET481REL1LAST_B", "Microsoft® .NET Framework", "Microsoft .NET Runtime Just-In-Time Compiler"));
                list.Add((@"C:\Program Files (x86)\SiteExtensions\Kudu\106.0.0.1\bin\Kudu.Core.dll", "106.0.0.1", "Kudu", "Kudu.Core"));
                list.Add((@"C:\Program Files (x86)\SiteExtensions\Kudu\106.0.0.1\bin\Kudu.Services.dll", "106.0.0.1", "Kudu", "Kudu.Services"));
            }
            else
            {
                list.Add((@"C:\Program Files\IIS\Asp.Net Core Module\V2\aspnetcorev2.dll", "19.0.24303.0", "Microsoft ASP.NET Core Module V2", "IIS ASP.NET Core Module V2"));
                list.Add((@"C:\Program Files\IIS\Asp.Net Core Module\V2\19.0.24303\aspnetcorev2_inprocess.dll", "19.0.24303.0", "Microsoft ASP.NET Core Module V2", "IIS ASP.NET Core Module V2 Request Handler"));
                AddDotnet(list, net);
            }
        }
        else if (name.Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            list.Add((@"C:\Program Files\dotnet\dotnet.exe", "8.0.11.0", "Microsoft® .NET", ".NET Host"));
            AddDotnet(list, net);
        }
        else
        {
            list.Add((FilePath(name), "1.0.0.0", name, name));
        }

        return list
            .Select((m, i) => new ModuleModel
            {
                FilePath = m.Path,
                FileVersion = m.Version,
                Product = m.Product,
                ProductVersion = m.Version.Split(' ')[0],
                FileDescription = m.Description,
                // 64 KB aligned like real image bases; exes sit lower than system dlls.
                BaseAddress = (m.Path.EndsWith(".exe", StringComparison.OrdinalIgnoreCase) ? 0x7FF6_0000_0000L : 0x7FF8_0000_0000L)
                              + (Det.Range64(0x100, 0x7FFF, [.. seed, "module", i]) << 16),
                ModuleMemorySize = Det.Range(0x2_0000, 0x60_0000, [.. seed, "size", i]) & ~0xFFF,
            })
            .OrderBy(m => m.FileName, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    private static void AddDotnet(List<(string, string, string, string)> list, string net)
    {
        const string dir = @"C:\Program Files\dotnet\shared\Microsoft.NETCore.App\8.0.11\";
        list.Add((@"C:\Program Files\dotnet\host\fxr\8.0.11\hostfxr.dll", "8.0.11.0", "Microsoft® .NET", ".NET Host Resolver"));
        list.Add((dir + "hostpolicy.dll", "8.0.11.0", "Microsoft® .NET", ".NET Host Policy"));
        list.Add((dir + "coreclr.dll", net, "Microsoft® .NET", ".NET Runtime"));
        list.Add((dir + "clrjit.dll", net, "Microsoft® .NET", ".NET Runtime Just-In-Time Compiler"));
        list.Add((dir + "System.Private.CoreLib.dll", net, "Microsoft® .NET", "System.Private.CoreLib"));
        list.Add((dir + "System.Runtime.dll", net, "Microsoft® .NET", "System.Runtime"));
    }

    private static List<string> Handles(SiteFacts site, string name, Role role)
    {
        var list = new List<string>
        {
            @"C:\Windows\System32",
            @"C:\Windows\System32\en-US\KernelBase.dll.mui",
        };
        if (role == Role.Scm)
        {
            list.Add(@"C:\home\LogFiles\kudu\trace");
            list.Add(@"C:\home\site\deployments");
        }
        else
        {
            list.Add(@"C:\home\site\wwwroot");
            list.Add(@"C:\home\LogFiles\eventlog.xml");
            list.Add(@"C:\local\Temp");
        }
        if (site.IsFunctionApp && !name.Equals("w3wp", StringComparison.OrdinalIgnoreCase))
        {
            list.Add(@"C:\home\LogFiles\Application\Functions\Host");
        }
        return list;
    }

    /// <summary>
    /// The variables App Service gives a worker, secrets included (Kudu's process API really does
    /// return them): the client must redact them.
    /// </summary>
    private static SortedDictionary<string, string> Environment(SiteFacts site, SiteDoc doc, string iid, string machine,
        Role role, string pool, string name, ProcessDoc? given)
    {
        var account = ("st" + site.Name.Replace("-", "", StringComparison.Ordinal) + Det.Hex(6, site.Key, "acct")).ToLowerInvariant();
        if (account.Length > 24)
        {
            account = account[..24];
        }
        var storage = $"DefaultEndpointsProtocol=https;AccountName={account};AccountKey={Det.Base64(64, site.Key, "storagekey")};EndpointSuffix=core.windows.net";
        var sql = $"Server=tcp:{site.Name}-sql.database.windows.net,1433;Initial Catalog={site.Name};User ID={site.Name}-admin;Password={Det.Base64(18, site.Key, "sqlpwd")};Encrypt=True;";
        var env = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["ALLUSERSPROFILE"] = @"C:\local\ProgramData",
            ["APP_POOL_CONFIG"] = $@"C:\inetpub\temp\apppools\{pool}\{pool}.config",
            ["APP_POOL_ID"] = pool,
            ["APPDATA"] = @"C:\local\AppData",
            ["APPSETTING_WEBSITE_SITE_NAME"] = site.Name,
            ["APPSETTING_WEBSITE_AUTH_ENABLED"] = "False",
            ["APPSETTING_ApplicationInsights__ConnectionString"] = $"InstrumentationKey={Det.Guid(site.Key, "ai")};IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/",
            ["COMPUTERNAME"] = machine,
            ["ComSpec"] = @"C:\Windows\system32\cmd.exe",
            ["HOME"] = @"C:\home",
            ["HOME_EXPANDED"] = $@"C:\DWASFiles\Sites\{pool}\VirtualDirectory0",
            ["IDENTITY_ENDPOINT"] = "http://127.0.0.1:41763/MSI/token/",
            ["IDENTITY_HEADER"] = Det.Guid(site.Key, iid, "identityheader").ToString().ToUpperInvariant(),
            ["LOCALAPPDATA"] = @"C:\local\LocalAppData",
            ["MSI_ENDPOINT"] = "http://127.0.0.1:41763/MSI/token/",
            ["MSI_SECRET"] = Det.Guid(site.Key, iid, "identityheader").ToString().ToUpperInvariant(),
            ["NUMBER_OF_PROCESSORS"] = "2",
            ["OS"] = "Windows_NT",
            ["Path"] = @"C:\Windows\system32;C:\Windows;C:\Windows\System32\Wbem;C:\Windows\System32\WindowsPowerShell\v1.0\;C:\Program Files\dotnet\;C:\home\site\deployments\tools",
            ["PROCESSOR_ARCHITECTURE"] = "AMD64",
            ["REGION_NAME"] = site.Location.Replace(" ", "", StringComparison.Ordinal),
            ["SQLAZURECONNSTR_DefaultConnection"] = sql,
            ["SystemDrive"] = "C:",
            ["SystemRoot"] = @"C:\Windows",
            ["TEMP"] = @"C:\local\Temp",
            ["TMP"] = @"C:\local\Temp",
            ["USERPROFILE"] = @"C:\local\UserProfile",
            ["WEBSITE_AUTH_ENCRYPTION_KEY"] = Det.Hex(64, site.Key, "authenc").ToUpperInvariant(),
            ["WEBSITE_AUTH_SIGNING_KEY"] = Det.Hex(64, site.Key, "authsign").ToUpperInvariant(),
            ["WEBSITE_DEPLOYMENT_ID"] = pool,
            ["WEBSITE_HOSTNAME"] = site.DefaultHostName,
            ["WEBSITE_INSTANCE_ID"] = iid,
            ["WEBSITE_OWNER_NAME"] = $"{site.SubscriptionId}+{site.ResourceGroup}-{site.Location.Replace(" ", "", StringComparison.Ordinal)}webspace",
            ["WEBSITE_RESOURCE_GROUP"] = site.ResourceGroup,
            ["WEBSITE_SITE_NAME"] = site.Name,
            ["WEBSITE_SKU"] = site.Sku,
            ["WEBSITE_SLOT_NAME"] = site.Slot ?? "Production",
            ["windir"] = @"C:\Windows",
        };
        if (site.IsFunctionApp)
        {
            env["APPSETTING_AzureWebJobsStorage"] = storage;
            env["AzureWebJobsStorage"] = storage;
            env["APPSETTING_FUNCTIONS_EXTENSION_VERSION"] = "~4";
            env["FUNCTIONS_EXTENSION_VERSION"] = "~4";
            env["APPSETTING_FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
            env["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
            env["WEBSITE_CONTENTAZUREFILECONNECTIONSTRING"] = storage;
            env["WEBSITE_CONTENTSHARE"] = $"{site.Name}{Det.Hex(4, site.Key, "share")}";
        }
        else
        {
            env["APPSETTING_StorageConnectionString"] = storage;
            env["CUSTOMCONNSTR_Storage"] = storage;
        }
        if (role == Role.Scm)
        {
            env["SCM_BIN_PATH"] = @"C:\Program Files (x86)\SiteExtensions\Kudu\106.0.0.1\bin";
            env["KUDU_APPPATH"] = @"C:\Program Files (x86)\SiteExtensions\Kudu\106.0.0.1";
        }
        if (given?.IsWebJob == true)
        {
            env["WEBJOBS_NAME"] = given.Description ?? name;
            env["WEBJOBS_TYPE"] = "continuous";
        }
        Overlay(env, doc.Environment);
        Overlay(env, given?.Environment);
        return env;
    }

    /// <summary>Scenario overrides: a value replaces, null removes.</summary>
    private static void Overlay(SortedDictionary<string, string> env, Dictionary<string, string?>? overrides)
    {
        foreach (var (key, value) in overrides ?? [])
        {
            if (value is null)
            {
                env.Remove(key);
            }
            else
            {
                env[key] = value;
            }
        }
    }

    /// <summary>Process and thread ids share one space on Windows; keep them unique per instance.</summary>
    private sealed class IdAllocator(string siteKey, string iid, HashSet<int> used)
    {
        private readonly HashSet<int> _used = used;
        private int _n;

        public void Reserve(int id) => _used.Add(id);

        public int Next()
        {
            for (var misses = 0; ; misses++)
            {
                // Windows ids are multiples of 4. Pids and thread ids share one space across the site's instances,
                // which a dozen or more instances fill: then draw from a wider one (smaller sites keep their ids).
                var id = misses < 256 ? Det.Range(250, 7500, siteKey, iid, "id", _n++) * 4 : Det.Range(7500, 1 << 20, siteKey, iid, "id", _n++) * 4;
                if (_used.Add(id))
                {
                    return id;
                }
            }
        }
    }
}
