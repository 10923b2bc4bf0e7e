using KuduDiagnostics.Http;
using KuduDiagnostics.Session;
using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace KuduDiagnostics.Commands
{
    /// <summary>Lists the processes of a site's instances, as Kudu sees them.</summary>
    [Cmdlet(VerbsCommon.Get, "KuduProcess", DefaultParameterSetName = "Name")]
    [OutputType(typeof(KuduProcess))]
    public sealed class GetKuduProcessCommand : ThrottledKuduCmdlet
    {
        private readonly HashSet<string> _matchedNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<int> _matchedIds = new HashSet<int>();
        private OrderedWorkQueue<List<KuduProcess>>? _queue;
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
            _queue = NewWorkQueue<List<KuduProcess>>();
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

            var instances = new List<string?>();
            if (AllInstances.IsPresent)
            {
                try
                {
                    instances.AddRange(Run(ct => session.ListInstancesAsync(Trace, ct)).Select(i => (string?)i.Instance));
                }
                catch (Exception ex) when (ex is KuduException)
                {
                    _incomplete = true;
                    WriteFailure(ex, session);
                    return;
                }

                WriteVerbose($"{session.SiteName} has {instances.Count} instance(s).");
            }
            else if (Instance != null)
            {
                foreach (string value in Instance)
                {
                    if (!TryResolveInstance(session, value, out string? id))
                    {
                        _incomplete = true;
                    }
                    else if (!instances.Contains(id, StringComparer.OrdinalIgnoreCase))
                    {
                        instances.Add(id);
                    }
                }
            }
            else
            {
                instances.Add(null);
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

            foreach (string name in Name ?? Array.Empty<string>())
            {
                if (!WildcardPattern.ContainsWildcardCharacters(name) && !_matchedNames.Contains(name))
                {
                    WriteError(KuduErrors.Record(new ItemNotFoundException($"Kudu lists no process named '{name}'."), "KuduProcessNotFound", ErrorCategory.ObjectNotFound, name));
                }
            }

            foreach (int id in Id ?? Array.Empty<int>())
            {
                if (!_matchedIds.Contains(id))
                {
                    WriteError(KuduErrors.Record(new ItemNotFoundException($"Kudu lists no process with Id {id}."), "KuduProcessNotFound", ErrorCategory.ObjectNotFound, id));
                }
            }
        }

        private void Fail(Exception error, object target)
        {
            _incomplete = true;
            WriteFailure(error, target);
        }

        private async Task<List<KuduProcess>> ListAsync(KuduSession session, string? instance, CancellationToken cancellationToken)
        {
            var result = new List<KuduProcess>();
            var ids = Id ?? Array.Empty<int>();
            if (ids.Length == 0 || ids.Any(id => id > 0))
            {
                List<KuduProcess> listed = await session.Kudu(_limiter).ListProcessesAsync(instance, Trace, cancellationToken).ConfigureAwait(false);
                result.AddRange(listed.Where(Wanted));
            }

            // 0 and -1 are aliases Kudu resolves only on the detail route.
            foreach (int alias in ids.Where(id => id <= 0))
            {
                try
                {
                    KuduProcessDetail detail = await session.Kudu(_limiter).GetProcessAsync(instance, alias, includeEnvironment: false, Trace, cancellationToken).ConfigureAwait(false);
                    result.Add(new KuduProcess
                    {
                        Session = session,
                        Id = detail.Id,
                        Name = detail.Name,
                        MachineName = detail.MachineName,
                        UserName = detail.UserName,
                        Href = detail.Href,
                        Instance = detail.Instance,
                        IsScmSite = detail.IsScmSite,
                    });
                    lock (_matchedIds)
                    {
                        _matchedIds.Add(alias);
                    }
                }
                catch (KuduException ex) when (ex.Kind == KuduErrorKind.ProcessNotFound || ex.Kind == KuduErrorKind.ServerError)
                {
                    Trace.Debug($"Id {alias}: {ex.Message}");
                }
            }

            return result;
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

        private void Emit(List<KuduProcess> processes, object target) => WriteObject(processes, enumerateCollection: true);
    }
}
