using System;
using KuduDiagnostics.Dumps;
using KuduDiagnostics.Kudu;
using Xunit;

namespace KuduDiagnostics.Tests
{
    public class DumpNamingTests
    {
        private static DumpDescriptor Dump(string process, string? slot = null, string? instance = "1a2b3c4d5e") => new DumpDescriptor
        {
            Target = new KuduTarget(null, "contoso", slot, instance, 4512, process),
            Kind = DumpKind.From(DumpType.Full, null),
            Format = WindowsKuduContract.FormatOf(zip: false),
            CaptureTimeUtc = new DateTime(2026, 11, 25, 12, 1, 2, 345, DateTimeKind.Utc),
        };

        [Fact]
        public void Names_carry_site_instance_process_pid_time_with_year_and_type()
        {
            Assert.Equal("2026-11-25/contoso_1a2b3c_w3wp_4512_20261125T120102.345Z_full.dmp", DumpNaming.RelativePath(Dump("w3wp")));
            Assert.Equal("contoso-staging_any_w3wp_4512_20261125T120102.345Z_full.dmp", DumpNaming.FileName(Dump("w3wp", "staging", null)));
        }

        [Theory]
        [InlineData("..\\..\\x", "x")]
        [InlineData("../../etc/passwd", "etc_passwd")]
        [InlineData("a:b", "a_b")]
        [InlineData("...", "process")]
        [InlineData("w3wp\u0000evil", "w3wp_evil")]
        [InlineData("名前", "process")]
        public void Server_strings_cannot_climb_out_or_break_names(string process, string expected)
        {
            string name = DumpNaming.FileName(Dump(process));
            Assert.Equal($"contoso_1a2b3c_{expected}_4512_20261125T120102.345Z_full.dmp", name);
            Assert.DoesNotContain("..", name.Replace("_full.dmp", string.Empty));
        }

        [Fact]
        public void Dump_kinds_map_to_the_masks_Kudu_expects()
        {
            Assert.Equal(1, WindowsKuduContract.MaskOf(DumpKind.From(DumpType.Mini, null)));
            Assert.Equal(2, WindowsKuduContract.MaskOf(DumpKind.From(DumpType.Full, null)));
            Assert.Equal(0x41A25, WindowsKuduContract.MaskOf(DumpKind.From(DumpType.Heap, null)));
            Assert.False(DumpKind.From(DumpType.Heap, null).IsFullMemory);
            Assert.Equal("mask0x1234", DumpKind.From(DumpType.Mini, 0x1234).Label);
            Assert.Throws<ArgumentOutOfRangeException>(() => DumpKind.From(DumpType.Mini, -5));
        }
    }
}
