using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Http;

namespace KuduDiagnostics.Session
{
    /// <summary>
    /// Turns -Instance values into instance ids: a full id, any unique prefix (the 6 characters the tables show),
    /// or the worker's machine name (what an alert split by Instance carries: RD0003FF1A2B3C, lw1sdlwk0000F3),
    /// ignoring case, matched against the site's instances: from Resource Manager when the session has it, else
    /// the instances this session has met. A machine name Resource Manager does not give is asked of each instance
    /// (its process list says it). The front end cannot route a prefix (it sends an unknown cookie to any
    /// instance), so nothing unresolved is ever sent.
    /// </summary>
    internal static class InstanceResolver
    {
        /// <summary>The full id for a value; throws InstanceNotResolved or InstanceAmbiguous naming the value.</summary>
        public static async Task<string> ResolveAsync(KuduSession session, string value, IKuduTrace trace, CancellationToken cancellationToken)
        {
            // A full id the session has met needs no look-up (what Get-KuduProcess objects carry).
            IReadOnlyList<KuduInstance> met = session.MetInstances();
            KuduInstance? exact = met.FirstOrDefault(i => string.Equals(i.Instance, value, StringComparison.OrdinalIgnoreCase));
            if (exact != null)
            {
                return exact.Instance;
            }

            bool complete = session.CanListInstances();
            IReadOnlyList<KuduInstance> known = complete ? await session.ListInstancesAsync(trace, cancellationToken).ConfigureAwait(false) : met;
            if (ByMachineName(value, known) == null && LooksLikeMachineName(value) && known.Any(i => i.MachineName == null))
            {
                await AskMachineNamesAsync(session, known, trace, cancellationToken).ConfigureAwait(false);
            }

            string id = Resolve(value, known, complete, session.SiteName);
            if (ByMachineName(value, known) != null)
            {
                trace.Verbose($"Machine {value} is instance {KuduTarget.ShortId(id)} of {session.SiteName}.");
            }

            return id;
        }

        /// <summary>
        /// The instances a command covers, written once for every command: each one Resource Manager lists
        /// (-AllInstances), else each named one in order without repeats, else the session's own (null).
        /// <paramref name="resolve"/> turns a named value into an id (null: the value failed and the caller has said
        /// so); by default a value that names no instance, or several, throws.
        /// </summary>
        public static async Task<IReadOnlyList<string?>> ExpandAsync(KuduSession session, bool allInstances, IReadOnlyList<string>? named, IKuduTrace trace, CancellationToken cancellationToken, Func<string, Task<string?>>? resolve = null)
        {
            if (allInstances)
            {
                return (await session.ListInstancesAsync(trace, cancellationToken).ConfigureAwait(false)).Select(i => (string?)i.Instance).ToList();
            }

            if (named == null || named.Count == 0)
            {
                return new List<string?> { null };
            }

            resolve ??= async value => await ResolveAsync(session, value, trace, cancellationToken).ConfigureAwait(false);
            var ids = new List<string?>();
            foreach (string value in named)
            {
                string? id = await resolve(value).ConfigureAwait(false);
                if (id != null && !ids.Contains(id, StringComparer.OrdinalIgnoreCase))
                {
                    ids.Add(id);
                }
            }

            return ids;
        }

        /// <summary>
        /// Matches a value against known instances. <paramref name="complete"/>: the list is every instance (Resource
        /// Manager); otherwise a value longer than a short id that matches none is taken as a full id not met yet,
        /// and the transport checks that the instance that answers is that one.
        /// </summary>
        internal static string Resolve(string value, IReadOnlyList<KuduInstance> known, bool complete, string siteName)
        {
            string wanted = value.Trim();
            KuduInstance? exact = known.FirstOrDefault(i => string.Equals(i.Instance, wanted, StringComparison.OrdinalIgnoreCase));
            if (exact != null)
            {
                return exact.Instance;
            }

            KuduInstance? machine = ByMachineName(wanted, known);
            if (machine != null)
            {
                return machine.Instance;
            }

            List<KuduInstance> matches = wanted.Length == 0
                ? new List<KuduInstance>()
                : known.Where(i => i.Instance.StartsWith(wanted, StringComparison.OrdinalIgnoreCase)).ToList();
            if (matches.Count == 1)
            {
                return matches[0].Instance;
            }

            if (matches.Count > 1)
            {
                throw new KuduException(KuduErrorKind.InstanceAmbiguous,
                    $"'{value}' is the start of {matches.Count} instance ids of {siteName}: {List(matches)}. Give more of the id.") { Value = value };
            }

            if (!complete && wanted.Length > KuduTarget.ShortIdLength)
            {
                return wanted;
            }

            string there = complete
                ? $"Its instances: {List(known)}."
                : known.Count == 0
                    ? "This session has met none of its instances yet, and without Resource Manager it cannot list them."
                    : $"The instances this session has met: {List(known)}; without Resource Manager it cannot list the others.";
            throw new KuduException(KuduErrorKind.InstanceNotResolved,
                $"No instance of {siteName} has an id starting with '{value}' or the machine name '{value}'; it may have been recycled or scaled in. {there}",
                advice: complete ? AdviceKey.InstancesListed : AdviceKey.InstancesPartlyKnown) { Value = value };
        }

        private static KuduInstance? ByMachineName(string value, IReadOnlyList<KuduInstance> known) =>
            known.FirstOrDefault(i => i.MachineName != null && string.Equals(i.MachineName, value.Trim(), StringComparison.OrdinalIgnoreCase));

        /// <summary>Instance ids are hex; a value with other letters can only be a machine name.</summary>
        private static bool LooksLikeMachineName(string value) => value.Trim().Any(c => !Uri.IsHexDigit(c));

        /// <summary>Fills in machine names Resource Manager left out: each instance's Kudu says its own.</summary>
        private static async Task AskMachineNamesAsync(KuduSession session, IReadOnlyList<KuduInstance> known, IKuduTrace trace, CancellationToken cancellationToken)
        {
            await Task.WhenAll(known.Where(i => i.MachineName == null).Select(async instance =>
            {
                try
                {
                    List<KuduProcess> processes = await session.Kudu().ListProcessesAsync(instance.Instance, trace, cancellationToken).ConfigureAwait(false);
                    instance.MachineName = processes.Select(p => p.MachineName).FirstOrDefault(m => !string.IsNullOrEmpty(m));
                }
                catch (KuduException ex)
                {
                    trace.Verbose($"Could not ask instance {KuduTarget.ShortId(instance.Instance)} of {session.SiteName} its machine name: {ex.Message}", ex.Advice);
                }
            })).ConfigureAwait(false);
        }

        /// <summary>"a1b2c3 (RD0003FF1A2B3C), b7c8d9": short ids, whole ids where two share a short one.</summary>
        private static string List(IReadOnlyList<KuduInstance> instances)
        {
            if (instances.Count == 0)
            {
                return "none";
            }

            var shorts = instances.GroupBy(i => i.ShortId, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            return string.Join(", ", instances.Select(i =>
            {
                string id = shorts.Contains(i.ShortId, StringComparer.OrdinalIgnoreCase) ? i.Instance : i.ShortId;
                return i.MachineName == null ? id : $"{id} ({i.MachineName})";
            }));
        }
    }
}
