using System.Text;

namespace KuduDiagnostics
{
    /// <summary>
    /// Text that came from a server, made safe for a console: control characters (C0 but tab and newline, DEL, C1,
    /// and so ESC sequences) and the invisible direction overrides are shown as \xNN / \uNNNN instead of acting on
    /// the terminal.
    /// </summary>
    internal static class ConsoleText
    {
        public static string Clean(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return text ?? string.Empty;
            }

            int i = 0;
            while (i < text!.Length && !IsUnsafe(text[i]))
            {
                i++;
            }

            if (i == text.Length)
            {
                return text;
            }

            var builder = new StringBuilder(text.Length + 16);
            builder.Append(text, 0, i);
            for (; i < text.Length; i++)
            {
                char c = text[i];
                if (!IsUnsafe(c))
                {
                    builder.Append(c);
                }
                else if (c <= 0xFF)
                {
                    builder.Append("\\x").Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                }
                else
                {
                    builder.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            return builder.ToString();
        }

        /// <summary>Cleaned and cut to <paramref name="max"/> characters, for quoting a hostile value in a message.</summary>
        public static string Escape(string? text, int max)
        {
            string clean = Clean(text);
            return clean.Length <= max ? clean : clean.Substring(0, max) + "...";
        }

        private static bool IsUnsafe(char c) =>
            (c < 0x20 && c != '\t' && c != '\n') || (c >= 0x7F && c <= 0x9F)
            || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069') || c == '\u200E' || c == '\u200F'
            || c == '\u2028' || c == '\u2029';
    }
}
