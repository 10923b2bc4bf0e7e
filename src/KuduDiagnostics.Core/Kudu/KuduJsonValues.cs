using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;

namespace KuduDiagnostics.Kudu
{
    /// <summary>The typed value readers behind the parsers: sentinels and omissions become null.</summary>
    internal static partial class KuduJson
    {
        private static JsonElement? Property(JsonElement o, string name)
        {
            if (o.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null)
            {
                return value;
            }

            // Kudu's casing is fixed, but proxies and older builds are not always so careful.
            foreach (JsonProperty p in o.EnumerateObject())
            {
                if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind != JsonValueKind.Null)
                {
                    return p.Value;
                }
            }

            return null;
        }

        /// <summary>
        /// An identity (a process or thread id): a JSON integer that must be there. Kudu omits zeros, but no real
        /// process has id 0 (that is Kudu's alias for its own worker), so a missing id is a broken answer, and an id
        /// as a string is refused rather than guessed at.
        /// </summary>
        private static int RequiredInt(JsonElement o, string name)
        {
            if (!(Property(o, name) is JsonElement v))
            {
                throw new FormatException($"an item has no '{name}'");
            }

            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int id))
            {
                throw new FormatException($"'{name}' is not an integer ({ConsoleText.Escape(v.GetRawText(), 40)})");
            }

            return id;
        }

        private static int ReadInt(JsonElement v, string name)
        {
            if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i))
            {
                return i;
            }

            if (v.ValueKind == JsonValueKind.String && int.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out i))
            {
                return i;
            }

            throw new FormatException($"'{name}' is not an integer");
        }

        private static long ReadLong(JsonElement v, string name)
        {
            if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long l))
            {
                return l;
            }

            if (v.ValueKind == JsonValueKind.String && long.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out l))
            {
                return l;
            }

            throw new FormatException($"'{name}' is not an integer");
        }

        private static int? Count(JsonElement o, string name)
        {
            int value = Property(o, name) is JsonElement v ? ReadInt(v, name) : 0;
            return value < 0 ? (int?)null : value;
        }

        private static long? Memory(JsonElement o, string name)
        {
            long value = Property(o, name) is JsonElement v ? ReadLong(v, name) : 0;
            return value < 0 ? (long?)null : value;
        }

        private static double Double(JsonElement o, string name)
        {
            if (Property(o, name) is not JsonElement v)
            {
                return 0;
            }

            if (v.ValueKind == JsonValueKind.Number)
            {
                return v.GetDouble();
            }

            if (v.ValueKind == JsonValueKind.String && double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
            {
                return d;
            }

            throw new FormatException($"'{name}' is not a number");
        }

        private static bool Bool(JsonElement o, string name)
        {
            if (Property(o, name) is not JsonElement v)
            {
                return false;
            }

            return v.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.String => string.Equals(v.GetString(), "true", StringComparison.OrdinalIgnoreCase),
                _ => throw new FormatException($"'{name}' is not a boolean"),
            };
        }

        private static string? String(JsonElement o, string name)
        {
            if (Property(o, name) is not JsonElement v)
            {
                return null;
            }

            // Names, command lines and paths reach tables and messages: no control characters from a server.
            return ConsoleText.Clean(v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText());
        }

        private static string? NotAvailableToNull(string? value) =>
            string.Equals(value, "N/A", StringComparison.Ordinal) ? null : value;

        private static Uri? UriValue(JsonElement o, string name)
        {
            string? text = String(o, name);
            return text != null && Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) ? uri : null;
        }

        private static DateTime? Date(JsonElement o, string name)
        {
            string? text = String(o, name);
            if (text == null)
            {
                return null;
            }

            if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime value))
            {
                throw new FormatException($"'{name}' is not a date: '{ConsoleText.Escape(text, 40)}'");
            }

            return value == DateTime.MinValue ? (DateTime?)null : DateTime.SpecifyKind(value, DateTimeKind.Utc);
        }

        private static TimeSpan? CpuTime(JsonElement o, string name)
        {
            string? text = String(o, name);
            if (text == null)
            {
                return TimeSpan.Zero;
            }

            if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan value))
            {
                throw new FormatException($"'{name}' is not a time span: '{ConsoleText.Escape(text, 40)}'");
            }

            return value == FailedReadTime ? (TimeSpan?)null : value;
        }

        private static IReadOnlyList<Uri> UriArray(JsonElement o, string name) =>
            Items(o, name, JsonValueKind.String, e => Uri.TryCreate(e.GetString(), UriKind.Absolute, out Uri? uri) ? uri : null);

        private static IReadOnlyList<string> StringArray(JsonElement o, string name) =>
            Items(o, name, JsonValueKind.String, e => ConsoleText.Clean(e.GetString()));

        private static IReadOnlyList<KuduProcessThread> Threads(JsonElement o) =>
            Items(o, "threads", JsonValueKind.Object, t => new KuduProcessThread { Id = RequiredInt(t, "id"), State = String(t, "state"), Href = UriValue(t, "href") });

        private static IReadOnlyList<KuduProcessModule> Modules(JsonElement o) =>
            Items(o, "modules", JsonValueKind.Object, m => new KuduProcessModule
            {
                BaseAddress = String(m, "base_address"),
                FileName = String(m, "file_name"),
                FileVersion = String(m, "file_version"),
                Href = UriValue(m, "href"),
            });

        /// <summary>The elements of an array property that have the expected kind; absent or not an array: none.</summary>
        private static IReadOnlyList<T> Items<T>(JsonElement o, string name, JsonValueKind kind, Func<JsonElement, T?> select)
            where T : class
        {
            var result = new List<T>();
            if (Property(o, name) is JsonElement v && v.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement e in v.EnumerateArray())
                {
                    if (e.ValueKind == kind && select(e) is T item)
                    {
                        result.Add(item);
                    }
                }
            }

            return result;
        }

        private static IReadOnlyDictionary<string, string> Environment(JsonElement o)
        {
            var result = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (Property(o, "environment_variables") is JsonElement v && v.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty p in v.EnumerateObject())
                {
                    result[ConsoleText.Clean(p.Name)] = ConsoleText.Clean(p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText());
                }
            }

            return result;
        }
    }
}
