using System;
using KuduDiagnostics.Dumps;
using KuduDiagnostics.Kudu;
using Xunit;

namespace KuduDiagnostics.Tests
{
    /// <summary>What a hostile server sends is shown, never obeyed: control characters, cookies, ids, names.</summary>
    public class HostileTextTests
    {
        [Theory]
        [InlineData("plain text", "plain text")]
        [InlineData("tab\tand\nnewline", "tab\tand\nnewline")]
        [InlineData("\u001b[2Jclear", "\\x1B[2Jclear")]
        [InlineData("bell\u0007cr\r", "bell\\x07cr\\x0D")]
        [InlineData("c1\u009b31m", "c1\\x9B31m")]
        [InlineData("del\u007f", "del\\x7F")]
        [InlineData("rtl\u202eevil", "rtl\\u202Eevil")]
        [InlineData("caf\u00e9 \u4e2d", "caf\u00e9 \u4e2d")]
        public void Console_text_escapes_what_would_act_on_a_terminal(string raw, string shown)
        {
            Assert.Equal(shown, ConsoleText.Clean(raw));
        }

        [Theory]
        [InlineData("1a2b3c4d5e6f", true)]
        [InlineData("abc\u00e9", false)]
        [InlineData("abc def", false)]
        [InlineData("abc;def", false)]
        [InlineData("abc\"", false)]
        public void Only_cookie_octets_are_pinned(string value, bool valid)
        {
            Assert.Equal(valid, KuduTransport.IsCookieValue(value));
        }

        [Theory]
        [InlineData("""[{"name":"w3wp"}]""", "has no 'id'")]
        [InlineData("""[{"id":"4100","name":"w3wp"}]""", "'id' is not an integer")]
        [InlineData("""[{"id":4100.5,"name":"w3wp"}]""", "'id' is not an integer")]
        [InlineData("""[{"id":null,"name":"w3wp"}]""", "has no 'id'")]
        public void A_process_without_an_integer_id_is_refused(string json, string why)
        {
            var ex = Assert.Throws<FormatException>(() => KuduJson.ParseProcessList(System.Text.Json.JsonDocument.Parse(json).RootElement));
            Assert.Contains(why, ex.Message);
        }

        [Fact]
        public void Names_and_command_lines_come_out_clean()
        {
            var list = KuduJson.ParseProcessList(System.Text.Json.JsonDocument.Parse("""[{"id":1,"name":"w3wp\u001b[31m","user_name":"x\u0007"}]""").RootElement);
            Assert.Equal("w3wp\\x1B[31m", list[0].Name);
            Assert.Equal("x\\x07", list[0].UserName);
        }

        [Fact]
        public void Capture_times_of_one_process_never_repeat_to_the_millisecond()
        {
            DateTime now = new DateTime(2026, 12, 7, 12, 0, 0, 500, DateTimeKind.Utc).AddTicks(1234);
            string key = "site/" + Guid.NewGuid() + "/4100";
            DateTime first = DumpNaming.UniqueCaptureTime(key, now);
            DateTime second = DumpNaming.UniqueCaptureTime(key, now);
            DateTime third = DumpNaming.UniqueCaptureTime(key, now.AddTicks(100));
            DateTime other = DumpNaming.UniqueCaptureTime(key + "0", now);

            Assert.Equal(new DateTime(2026, 12, 7, 12, 0, 0, 500, DateTimeKind.Utc), first);
            Assert.Equal(first.AddMilliseconds(1), second);
            Assert.Equal(first.AddMilliseconds(2), third);
            Assert.Equal(first, other);
        }
    }
}
