using System;
using System.Text.Json;
using KuduDiagnostics.Kudu;
using Xunit;

namespace KuduDiagnostics.Tests
{
    public class KuduJsonTests
    {
        private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement;

        [Fact]
        public void List_reads_camelCase_machineName_and_snake_case_user_name()
        {
            var list = KuduJson.ParseProcessList(Parse("""
                [{"id":4512,"name":"w3wp","machineName":"RD0003FF1A2B3C","href":"https://contoso.scm.azurewebsites.net/api/processes/4512","user_name":"IIS APPPOOL\\contoso"}]
                """));

            var p = Assert.Single(list);
            Assert.Equal(4512, p.Id);
            Assert.Equal("w3wp", p.Name);
            Assert.Equal("RD0003FF1A2B3C", p.MachineName);
            Assert.Equal("IIS APPPOOL\\contoso", p.UserName);
            Assert.Equal(new Uri("https://contoso.scm.azurewebsites.net/api/processes/4512"), p.Href);
        }

        [Fact]
        public void Detail_with_omitted_fields_reads_false_zero_and_null()
        {
            // Kudu omits false, zero and null: a process that is not the SCM site has no is_scm_site at all.
            var d = KuduJson.ParseProcessDetail(Parse("""{"id":4512,"name":"w3wp"}"""));

            Assert.False(d.IsScmSite);
            Assert.False(d.IsWebJob);
            Assert.Equal(0, d.HandleCount);
            Assert.Equal(0L, d.WorkingSet);
            Assert.Equal(TimeSpan.Zero, d.TotalCpuTime);
            Assert.Null(d.StartTime);
            Assert.Null(d.FileName);
            Assert.Empty(d.Threads);
            Assert.Empty(d.EnvironmentVariables);
        }

        [Fact]
        public void Detail_reads_every_field()
        {
            var d = KuduJson.ParseProcessDetail(Parse("""
                {"id":4512,"name":"w3wp","machineName":"RD1","href":"http://h/api/processes/4512","user_name":"IIS APPPOOL\\~1contoso",
                 "minidump":"http://h/api/processes/4512/dump","iis_profile_timeout_in_seconds":180.0,"parent":"http://h/api/processes/1200",
                 "children":["http://h/api/processes/5000"],"threads":[{"id":7,"href":"http://h/api/processes/4512/threads/7","state":"Wait"}],
                 "open_file_handles":["C:\\home\\site"],"modules":[{"base_address":"7ff6a1b20000","file_name":"w3wp.exe","href":"http://h/m","file_version":"10.0"}],
                 "file_name":"C:\\Windows\\System32\\inetsrv\\w3wp.exe","command_line":"w3wp.exe -ap contoso","handle_count":812,"module_count":95,"thread_count":41,
                 "start_time":"2026-11-25T09:31:07.1234567Z","total_cpu_time":"1.02:03:04.5000000","user_cpu_time":"00:00:03.2500000","privileged_cpu_time":"00:00:01",
                 "working_set":123456789,"peak_working_set":223456789,"private_memory":100000000,"virtual_memory":2199023255552,"peak_virtual_memory":2199023255553,
                 "paged_system_memory":1,"non_paged_system_memory":2,"paged_memory":3,"peak_paged_memory":4,"time_stamp":"2026-11-25T10:00:00Z",
                 "environment_variables":{"WEBSITE_SITE_NAME":"contoso","APPSETTING_Secret":"s3cr3t"},"is_scm_site":true,"is_webjob":true,"description":"IIS Worker Process"}
                """));

            Assert.True(d.IsScmSite);
            Assert.True(d.IsWebJob);
            Assert.Equal(180.0, d.IisProfileTimeoutInSeconds);
            Assert.Equal(new DateTime(2026, 11, 25, 9, 31, 7, DateTimeKind.Utc).AddTicks(1234567), d.StartTime);
            Assert.Equal(DateTimeKind.Utc, d.StartTime!.Value.Kind);
            Assert.Equal(new TimeSpan(1, 2, 3, 4, 500), d.TotalCpuTime);
            Assert.Equal(TimeSpan.FromSeconds(1), d.PrivilegedCpuTime);
            Assert.Equal(2199023255552L, d.VirtualMemory);
            Assert.Equal(812, d.HandleCount);
            Assert.Equal("Wait", Assert.Single(d.Threads).State);
            Assert.Equal("w3wp.exe", Assert.Single(d.Modules).FileName);
            Assert.Single(d.Children);
            Assert.Equal("s3cr3t", d.EnvironmentVariables["APPSETTING_Secret"]);
            Assert.Equal("IIS Worker Process", d.Description);
        }

        [Fact]
        public void Sentinels_for_failed_reads_become_null()
        {
            var d = KuduJson.ParseProcessDetail(Parse("""
                {"id":88,"name":"restricted","file_name":"N/A","handle_count":-1,"module_count":-1,"thread_count":-1,
                 "total_cpu_time":"-00:00:01","user_cpu_time":"-00:00:01","privileged_cpu_time":"-00:00:01","working_set":-1,"private_memory":-1}
                """));

            Assert.Null(d.FileName);
            Assert.Null(d.HandleCount);
            Assert.Null(d.ModuleCount);
            Assert.Null(d.ThreadCount);
            Assert.Null(d.TotalCpuTime);
            Assert.Null(d.UserCpuTime);
            Assert.Null(d.PrivilegedCpuTime);
            Assert.Null(d.WorkingSet);
            Assert.Null(d.PrivateMemory);
        }

        [Fact]
        public void A_process_without_an_id_is_refused_not_read_as_zero()
        {
            // Kudu omits zeros, but 0 is Kudu's alias for its own worker: an item without an id must not become it.
            Assert.Throws<FormatException>(() => KuduJson.ParseProcessList(Parse("""[{"name":"System Idle"}]""")));
        }

        [Theory]
        [InlineData("""{"id":1}""")]
        [InlineData("""[{"id":"not a number"}]""")]
        [InlineData("""["w3wp"]""")]
        public void List_rejects_what_is_not_a_process_array(string json)
        {
            Assert.Throws<FormatException>(() => KuduJson.ParseProcessList(Parse(json)));
        }

        [Fact]
        public void Detail_rejects_a_bad_date()
        {
            var ex = Assert.Throws<FormatException>(() => KuduJson.ParseProcessDetail(Parse("""{"id":1,"start_time":"yesterday"}""")));
            Assert.Contains("start_time", ex.Message);
        }

        [Theory]
        [InlineData("""{"Message":"Process with an Id of 99999 is not running."}""", "Process with an Id of 99999 is not running.")]
        [InlineData("""{"Message":"An error has occurred.","ExceptionMessage":"Access is denied","ExceptionType":"System.ComponentModel.Win32Exception"}""", "An error has occurred. Access is denied")]
        [InlineData("401 - Unauthorized: Access is denied due to invalid credentials.", null)]
        [InlineData("<html><body>Bad gateway</body></html>", null)]
        [InlineData("", null)]
        public void Error_bodies_are_read_when_they_are_Kudu_json(string body, string? expected)
        {
            Assert.Equal(expected, KuduJson.TryReadErrorMessage(body));
        }
    }
}
