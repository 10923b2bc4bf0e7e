using System.Collections.Generic;
using KuduDiagnostics.Kudu;
using KuduDiagnostics.Session;
using Xunit;

namespace KuduDiagnostics.Tests
{
    /// <summary>-Instance values as users type them: the short ids the tables show, any unique start, any case.</summary>
    public sealed class InstanceResolverTests
    {
        private const string A = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";
        private const string B = "b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b";
        private const string A2 = "a1b2c3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

        private static List<KuduInstance> Known(params (string Id, string? Machine)[] instances)
        {
            var list = new List<KuduInstance>();
            foreach ((string id, string? machine) in instances)
            {
                list.Add(new KuduInstance { Instance = id, MachineName = machine });
            }

            return list;
        }

        [Theory]
        [InlineData("a1b2c3")]
        [InlineData("A1B2C3")]
        [InlineData("a1")]
        [InlineData(A)]
        [InlineData(" a1b2c3 ")]
        public void Resolves_a_full_id_or_any_unique_start_ignoring_case(string value)
        {
            Assert.Equal(A, InstanceResolver.Resolve(value, Known((A, "RD01"), (B, "RD02")), complete: true, "contoso"));
        }

        [Fact]
        public void An_unknown_value_names_itself_and_lists_the_instances_with_machine_names()
        {
            var ex = Assert.Throws<KuduException>(() => InstanceResolver.Resolve("ffffff", Known((A, "RD0003FF1A2B3C"), (B, null)), complete: true, "contoso"));

            Assert.Equal(KuduErrorKind.InstanceNotResolved, ex.Kind);
            Assert.Equal("ffffff", ex.Value);
            Assert.Contains("'ffffff'", ex.Message);
            Assert.Contains("a1b2c3 (RD0003FF1A2B3C), b7c8d9", ex.Message);
        }

        [Fact]
        public void An_ambiguous_start_lists_the_instances_it_matches_in_full_where_short_ids_clash()
        {
            var ex = Assert.Throws<KuduException>(() => InstanceResolver.Resolve("a1b2", Known((A, "RD01"), (A2, "RD02"), (B, "RD03")), complete: true, "contoso"));

            Assert.Equal(KuduErrorKind.InstanceAmbiguous, ex.Kind);
            Assert.Equal("a1b2", ex.Value);
            Assert.Contains(A + " (RD01)", ex.Message);
            Assert.Contains(A2 + " (RD02)", ex.Message);
            Assert.DoesNotContain("b7c8d9", ex.Message);
        }

        [Fact]
        public void Without_the_whole_list_a_full_id_not_met_yet_is_sent_as_given_but_a_short_one_is_not()
        {
            IReadOnlyList<KuduInstance> met = Known((A, "RD01"));

            Assert.Equal(B, InstanceResolver.Resolve(B, met, complete: false, "contoso"));
            var ex = Assert.Throws<KuduException>(() => InstanceResolver.Resolve("b7c8d9", met, complete: false, "contoso"));
            Assert.Equal(KuduErrorKind.InstanceNotResolved, ex.Kind);
            Assert.Contains("met: a1b2c3 (RD01)", ex.Message);
            Assert.Equal(AdviceKey.InstancesPartlyKnown, ex.Advice!.Key);
            Assert.EndsWith("Use an id shown by Get-KuduProcess in this session, a full instance id, or a session made with -ResourceId and -UseAzureIdentity.", Commands.Advice.Apply(ex).Message);
        }

        [Fact]
        public void With_the_whole_list_a_full_id_that_is_not_there_is_refused()
        {
            var ex = Assert.Throws<KuduException>(() => InstanceResolver.Resolve(B, Known((A, null)), complete: true, "contoso"));
            Assert.Equal(KuduErrorKind.InstanceNotResolved, ex.Kind);
        }

        [Fact]
        public void The_session_stays_on_the_first_instance_and_moves_once_when_it_is_gone()
        {
            var affinity = new KuduAffinity();
            affinity.PinIfNone(A);
            affinity.PinIfNone(B);
            Assert.Equal(A, affinity.Pinned);

            Assert.True(affinity.Move(A, B));
            Assert.False(affinity.Move(A, B));
            Assert.Equal(B, affinity.Pinned);
        }

        [Fact]
        public void One_record_per_instance_keeps_its_machine_name()
        {
            var affinity = new KuduAffinity();
            affinity.Record(A, null);
            affinity.Record(A.ToUpperInvariant(), "RD01");
            affinity.Record(B, "RD02");

            Assert.Equal(2, affinity.Met.Count);
            Assert.Equal("RD01", affinity.MachineNameOf(A));
        }

        [Theory]
        [InlineData(@"IIS APPPOOL\~1contoso", true)]
        [InlineData(@"IIS APPPOOL\~1contoso__staging", true)]
        [InlineData(@"IIS APPPOOL\contoso", false)]
        [InlineData(null, false)]
        public void The_scm_worker_is_known_by_its_app_pool(string? userName, bool isScm)
        {
            Assert.Equal(isScm, KuduJson.IsScmPool(userName));
        }
    }
}
