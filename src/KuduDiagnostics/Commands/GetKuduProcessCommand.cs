using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Http;
using KuduDiagnostics.Kudu;
using KuduDiagnostics.Session;

namespace KuduDiagnostics.Commands
{
    /// <summary>Lists the processes of a site's instances, as Kudu sees them.</summary>
    [Cmdlet(VerbsCommon.Get, "KuduProcess", DefaultParameterSetName = "Name")]
    [OutputType(typeof(KuduProcess))]
    public sealed class GetKuduProcessCommand : ThrottledKuduCmdlet
    {
        private readonly HashSet<string> _matchedNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<int> _matchedIds = new HashSet<int>();
        private readonly List<KuduTarget> _asked = new List<KuduTarget>();
        private OrderedWorkQueue<Listing>? _queue;
        private RequestLimiter? _limiter;
        private bool _incomplete;

        [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(SessionCompleter))]
        [ValidateNotNull]
        public KuduSession? Session { get; set; }

        /// <summary>Process names (without .exe); wildcards allowed.</summary>
        [Parameter(Position = 0, ParameterSetName = "Name")]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [Alias("ProcessName")]
        [ArgumentCompleter(typeof(ProcessNameCompleter))]
        public string[]? Name { get; set; }

        /// <summary>Process ids. 0 is Kudu's own w3wp (the SCM site); -1 the first other w3wp.</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Id")]
        [ArgumentCompleter(typeof(ProcessIdCompleter))]
        public int[]? Id { get; set; }

        /// <summary>Instances to ask: their ids or any unique start of one (the 6 characters the tables show); without it, the session's instance.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(InstanceCompleter))]
        public string[]? Instance { get; set; }

        /// <summary>Asks every instance of the site (the instance list comes from Resource Manager).</summary>
        [Parameter]
        public SwitchParameter AllInstances { get; set; }

        internal override void Begin()
        {
            _queue = NewWorkQueue<Listing>();
            _limiter = NewLimiter();
        }

        internal override void Process()
        {
            KuduSession? session = ResolveSession(Session);
            if (session == null)
            {
                _incomplete = true;
                return;
            }

            // A named value that matches no instance, or several, is an error for that value only.
            var unresolved = new List<(string Value, KuduException Error)>();
            IReadOnlyList<string?> instances;
            try
            {
                instances = Run(ct => InstanceResolver.ExpandAsync(session, AllInstances.IsPresent, Instance, Trace, ct, async value =>
                {
                    try
                    {
                        return await InstanceResolver.ResolveAsync(session, value, Trace, ct).ConfigureAwait(false);
                    }
                    catch (KuduException ex)
                    {
                        lock (unresolved)
                        {
                            unresolved.Add((value, ex));
                        }

                        return null;
                    }
                }));
            }
            catch (KuduException ex)
            {
                _incomplete = true;
                WriteFailure(ex, session);
                return;
            }

            foreach ((string value, KuduException error) in unresolved)
            {
                _incomplete = true;
                WriteFailure(error, value);
            }

            if (AllInstances.IsPresent)
            {
                WriteVerbose($"Resource Manager lists {instances.Count} instance(s) of {session.SiteName}: {string.Join(", ", instances.Select(i => KuduTarget.ShortId(i!)))}.");
            }

            foreach (string? instance in instances)
            {
                _queue!.Start(ct => ListAsync(session, instance, ct), (object?)instance ?? session);
                _queue.FlushCompleted(Emit, Fail);
            }
        }

        internal override void End()
        {
            _queue!.Finish(Emit, Fail);

            // A listing that failed already said so: "no such process" would contradict it.
            if (_incomplete)
            {
                return;
            }

            string where = NotFoundWhere();
            foreach (string name in Name ?? Array.Empty<string>())
            {
                if (!WildcardPattern.ContainsWildcardCharacters(name) && !_matchedNames.Contains(name))
                {
                    WriteError(KuduErrors.Record(new ItemNotFoundException($"Kudu lists no process named '{name}' {where}"), "KuduProcessNotFound", ErrorCategory.ObjectNotFound, name));
                }
            }

            foreach (int id in Id ?? Array.Empty<int>())
            {
                if (!_matchedIds.Contains(id))
                {
                    WriteError(KuduErrors.Record(new ItemNotFoundException($"Kudu lists no process with Id {id} {where}"), "KuduProcessNotFound", ErrorCategory.ObjectNotFound, id));
                }
            }
        }

        /// <summary>
        /// "on contoso instance e0cc84. Add -AllInstances ...": the instances that answered, and where else to look
        /// when the session can list the site's instances (Resource Manager) and not all were asked.
        /// </summary>
        private string NotFoundWhere()
        {
            IEnumerable<string> places = _asked
                .GroupBy(t => t.Session!)
                .Select(g =>
                {
                    string[] shortIds = g.Where(t => t.ShortInstance != null).Select(t => t.ShortInstance!).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
                    return shortIds.Length == 0 ? g.Key.SiteName
                        : $"{g.Key.SiteName} instance{(shortIds.Length == 1 ? string.Empty : "s")} {string.Join(", ", shortIds)}";
                });
            string text = $"on {string.Join(" or ", places)}.";
            if (AllInstances.IsPresent)
            {
                return text;
            }

            KuduSession? listable = _asked.Select(t => t.Session).FirstOrDefault(s => s != null && s.CanListInstances());
            return listable != null
                ? text + $" Add -AllInstances to look on every instance of {listable.SiteName}."
                : text + " Another instance may run it: name it with -Instance (its id or the first characters of it).";
        }

        private void Fail(Exception error, object target)
        {
            _incomplete = true;
            WriteFailure(error, target);
        }

        private async Task<Listing> ListAsync(KuduSession session, string? instance, CancellationToken cancellationToken)
        {
            var result = new List<KuduProcess>();
            int listedCount = 0;
            var ids = Id ?? Array.Empty<int>();
            if (ids.Length == 0 || ids.Any(id => id > 0))
            {
                List<KuduProcess> listed = await session.Kudu(_limiter).ListProcessesAsync(instance, Trace, cancellationToken).ConfigureAwait(false);
                listedCount = listed.Count;
                result.AddRange(listed.Where(Wanted));
            }

            // 0 and -1 are aliases Kudu resolves only on the detail route.
            foreach (int alias in ids.Where(id => id <= 0))
            {
                try
                {
                    KuduClient kudu = session.Kudu(_limiter);
                    KuduProcessDetail detail = await kudu.GetProcessAsync(instance, alias, includeEnvironment: false, Trace, cancellationToken).ConfigureAwait(false);
                    result.Add(kudu.ListingOf(detail));
                    lock (_matchedIds)
                    {
                        _matchedIds.Add(alias);
                    }
                }
                catch (KuduException ex) when (ex.Kind == KuduErrorKind.ProcessNotFound || ex.Kind == KuduErrorKind.ServerError)
                {
                    Trace.Debug($"Id {alias}: {Advice.Apply(ex).Message}");
                }
            }

            // The instance that answered: where a "not found" looked. Without -Instance, the one the session stays on.
            string? answered = result.Select(p => p.Instance).FirstOrDefault(i => i != null) ?? instance ?? session.PinnedInstance;
            return new Listing(KuduTarget.Of(session, answered), listedCount, result);
        }

        private bool Wanted(KuduProcess process)
        {
            if (Id != null)
            {
                if (!Id.Contains(process.Id))
                {
                    return false;
                }

                lock (_matchedIds)
                {
                    _matchedIds.Add(process.Id);
                }

                return true;
            }

            if (Name == null)
            {
                return true;
            }

            bool wanted = false;
            foreach (string name in Name)
            {
                if (new WildcardPattern(name, WildcardOptions.IgnoreCase).IsMatch(process.Name))
                {
                    wanted = true;
                    lock (_matchedNames)
                    {
                        _matchedNames.Add(name);
                    }
                }
            }

            return wanted;
        }

        private void Emit(Listing listing, object target)
        {
            _asked.Add(listing.Where);
            WriteVerbose(Id != null && Id.All(id => id <= 0)
                ? $"Asked {listing.Where.Location} for process {string.Join(", ", Id)}: {listing.Processes.Count} found."
                : $"Asked {listing.Where.Location} for its processes: {listing.Listed} listed, {listing.Processes.Count} {(Id == null && Name == null ? "written" : "matched")}.");
            WriteObject(listing.Processes, enumerateCollection: true);
        }

        /// <summary>One instance's answer: where it came from, how many it listed, and the processes kept.</summary>
        private sealed class Listing
        {
            public Listing(KuduTarget where, int listed, List<KuduProcess> processes)
            {
                Where = where;
                Listed = listed;
                Processes = processes;
            }

            public KuduTarget Where { get; }
            public int Listed { get; }
            public List<KuduProcess> Processes { get; }
        }
    }
}
