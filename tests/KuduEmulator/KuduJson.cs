using System.Globalization;
using System.Text.Json;

namespace KuduEmulator;

/// <summary>
/// Kudu's JSON, written by hand so the field order is Kudu's declaration order and the
/// DefaultValueHandling.Ignore rule holds: false, 0, null, DateTime.MinValue and TimeSpan.Zero
/// are left out. machineName is camelCase, the rest snake_case.
/// </summary>
internal static class KuduJson
{
    private static readonly TimeSpan Unreadable = TimeSpan.FromSeconds(-1);

    public static string Date(DateTime value) =>
        value.ToUniversalTime().ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>TimeSpan.ToString(): [-][d.]hh:mm:ss[.fffffff]; the unreadable sentinel is "-00:00:01".</summary>
    public static string Span(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);

    public static void ListItem(Utf8JsonWriter w, ProcessModel p, string href, string machineName)
    {
        w.WriteStartObject();
        w.WriteNumber("id", p.Id);
        w.WriteString("name", p.Name);
        w.WriteString("machineName", machineName);
        w.WriteString("href", href);
        Str(w, "user_name", p.UserName);
        w.WriteEndObject();
    }

    /// <param name="selfHref">The detail URI (special ids already replaced by the real one).</param>
    public static void Detail(Utf8JsonWriter w, ProcessModel p, string selfHref, string machineName,
        IEnumerable<int> childIds, bool profiling = false, bool iisProfiling = false)
    {
        var restricted = p.Restricted;
        var parentDir = selfHref[..(selfHref.LastIndexOf('/') + 1)]; // new Uri(self, "123") replaces the last segment

        w.WriteStartObject();
        w.WriteNumber("id", p.Id);
        w.WriteString("name", p.Name);
        w.WriteString("machineName", machineName);
        w.WriteString("href", selfHref);
        w.WriteString("minidump", selfHref + "/dump");
        // is_profile_running / is_iis_profile_running: omitted when false (DefaultValueHandling.Ignore).
        if (profiling)
        {
            w.WriteBoolean("is_profile_running", true);
            if (iisProfiling)
            {
                w.WriteBoolean("is_iis_profile_running", true);
            }
        }
        w.WritePropertyName("iis_profile_timeout_in_seconds");
        w.WriteRawValue("180.0"); // a double: Newtonsoft always writes the fraction
        w.WriteString("parent", parentDir + p.ParentId.ToString(CultureInfo.InvariantCulture));

        w.WriteStartArray("children");
        foreach (var child in childIds)
        {
            w.WriteStringValue(parentDir + child.ToString(CultureInfo.InvariantCulture));
        }
        w.WriteEndArray();

        w.WriteStartArray("threads");
        foreach (var t in p.Threads)
        {
            w.WriteStartObject();
            w.WriteNumber("id", t.Id);
            w.WriteString("href", $"{selfHref}/threads/{t.Id}");
            w.WriteString("state", t.State);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("open_file_handles");
        foreach (var handle in p.OpenFileHandles)
        {
            w.WriteStringValue(handle);
        }
        w.WriteEndArray();

        w.WriteStartArray("modules");
        foreach (var m in p.Modules)
        {
            ModuleSummary(w, m, $"{selfHref}/modules/{m.BaseAddress:x}");
        }
        w.WriteEndArray();

        w.WriteString("file_name", restricted ? "N/A" : p.FileName);
        Str(w, "command_line", restricted ? null : p.CommandLine);
        Str(w, "user_name", p.UserName);
        Num(w, "handle_count", restricted ? -1 : p.HandleCount);
        Num(w, "module_count", restricted ? -1 : p.Modules.Count);
        Num(w, "thread_count", restricted ? -1 : p.Threads.Count);
        Date(w, "start_time", restricted ? DateTime.MinValue : p.StartTime);
        Span(w, "total_cpu_time", restricted ? Unreadable : p.TotalCpu);
        Span(w, "user_cpu_time", restricted ? Unreadable : p.UserCpu);
        Span(w, "privileged_cpu_time", restricted ? Unreadable : p.PrivilegedCpu);
        Num(w, "working_set", restricted ? -1 : p.WorkingSet);
        Num(w, "peak_working_set", restricted ? -1 : p.PeakWorkingSet);
        Num(w, "private_memory", restricted ? -1 : p.PrivateMemory);
        Num(w, "virtual_memory", restricted ? -1 : p.VirtualMemory);
        Num(w, "peak_virtual_memory", restricted ? -1 : p.PeakVirtualMemory);
        Num(w, "paged_system_memory", restricted ? -1 : p.PagedSystemMemory);
        Num(w, "non_paged_system_memory", restricted ? -1 : p.NonPagedSystemMemory);
        Num(w, "paged_memory", restricted ? -1 : p.PagedMemory);
        Num(w, "peak_paged_memory", restricted ? -1 : p.PeakPagedMemory);
        Date(w, "time_stamp", p.TimeStamp ?? DateTime.UtcNow);
        if (p.Environment is { } env)
        {
            w.WriteStartObject("environment_variables");
            foreach (var (key, value) in env)
            {
                w.WriteString(key, value);
            }
            w.WriteEndObject();
            // Kudu derives these from the environment block, so an unreadable one leaves them out.
            Bool(w, "is_scm_site", p.IsScmSite);
            Bool(w, "is_webjob", p.IsWebJob);
            Str(w, "description", p.Description);
        }
        w.WriteEndObject();
    }

    public static void ThreadSummary(Utf8JsonWriter w, ThreadModel t, string href)
    {
        w.WriteStartObject();
        w.WriteNumber("id", t.Id);
        w.WriteString("href", href);
        w.WriteString("state", t.State);
        w.WriteEndObject();
    }

    public static void ThreadDetail(Utf8JsonWriter w, ThreadModel t, string href, string processHref)
    {
        w.WriteStartObject();
        w.WriteNumber("id", t.Id);
        w.WriteString("href", href);
        w.WriteString("process", processHref);
        w.WriteString("start_address", "0x" + t.StartAddress.ToString("X", CultureInfo.InvariantCulture));
        Num(w, "current_priority", t.CurrentPriority);
        Str(w, "priority_level", t.PriorityLevel);
        Num(w, "base_priority", t.BasePriority);
        Date(w, "start_time", t.StartTime);
        Span(w, "total_processor_time", t.UserCpu + t.PrivilegedCpu);
        Span(w, "user_processor_time", t.UserCpu);
        Span(w, "priviledged_processor_time", t.PrivilegedCpu); // sic: Kudu's spelling
        w.WriteString("state", t.State);
        w.WriteString("wait_reason", t.State == "Wait" ? t.WaitReason : "Cannot obtain wait reason unless thread is in waiting state");
        w.WriteEndObject();
    }

    public static void ModuleSummary(Utf8JsonWriter w, ModuleModel m, string href)
    {
        w.WriteStartObject();
        w.WriteString("base_address", m.BaseAddress.ToString("x", CultureInfo.InvariantCulture));
        w.WriteString("file_name", m.FileName);
        w.WriteString("href", href);
        w.WriteString("file_version", m.FileVersion); // no Ignore on this one: null would be written
        w.WriteEndObject();
    }

    public static void ModuleDetail(Utf8JsonWriter w, ModuleModel m, string href)
    {
        w.WriteStartObject();
        w.WriteString("base_address", m.BaseAddress.ToString("x", CultureInfo.InvariantCulture));
        w.WriteString("file_name", m.FileName);
        w.WriteString("href", href);
        Str(w, "file_path", m.FilePath);
        Num(w, "module_memory_size", m.ModuleMemorySize);
        w.WriteString("file_version", m.FileVersion);
        Str(w, "file_description", m.FileDescription);
        Str(w, "product", m.Product);
        Str(w, "product_version", m.ProductVersion);
        w.WriteBoolean("is_debug", false); // bool?: false is not its default, so Kudu writes it
        w.WriteString("language", "English (United States)");
        w.WriteEndObject();
    }

    private static void Str(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    private static void Num(Utf8JsonWriter w, string name, long value)
    {
        if (value != 0)
        {
            w.WriteNumber(name, value);
        }
    }

    private static void Bool(Utf8JsonWriter w, string name, bool value)
    {
        if (value)
        {
            w.WriteBoolean(name, true);
        }
    }

    private static void Date(Utf8JsonWriter w, string name, DateTime value)
    {
        if (value != DateTime.MinValue)
        {
            w.WriteString(name, Date(value));
        }
    }

    private static void Span(Utf8JsonWriter w, string name, TimeSpan value)
    {
        if (value != TimeSpan.Zero)
        {
            w.WriteString(name, Span(value));
        }
    }
}
