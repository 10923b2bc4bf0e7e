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
    /// <summary>
    /// What Get-KuduProcessThread and Get-KuduProcessModule share: a process by -Id or from the pipeline, on the
    /// session's instance, the -Instance given, or every instance; the items of several processes looked up in
    /// parallel within the command's per-instance bound, output in input order.
    /// </summary>
    public abstract class ProcessPartCmdlet<T> : ThrottledKuduCmdlet
    {
        private OrderedWorkQueue<List<T>?>? _queue;
        private RequestLimiter? _limiter;

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(SessionCompleter))]
        [ValidateNotNull]
        public KuduSession? Session { get; set; }

        /// <summary>The instance that runs the process (from Get-KuduProcess), or a unique start of its id; without it, the session's instance.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(InstanceCompleter))]
        public string? Instance { get; set; }

        /// <summary>The process id. 0 is Kudu's own w3wp (the SCM site); -1 the first other w3wp.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("ProcessId")]
        [ArgumentCompleter(typeof(ProcessIdCompleter))]
        public int Id { get; set; }

        /// <summary>The process name (from the pipeline), so that output and errors name the process; looked up when not given.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("ProcessName")]
        public string? Name { get; set; }

        /// <summary>Asks every instance of the site for the process with this id (the instance list comes from Resource Manager).</summary>
        [Parameter]
        public SwitchParameter AllInstances { get; set; }

        /// <summary>The items of one process, stamped with the process and its instance.</summary>
        internal abstract Task<List<T>> FetchAsync(KuduClient kudu, KuduTarget target, CancellationToken cancellationToken);

        internal override void Begin()
        {
            _queue = NewWorkQueue<List<T>?>();
            _limiter = NewLimiter();
        }

        internal override void Process()
        {
            KuduSession? session = ResolveSession(Session);
            if (session == null)
            {
                return;
            }

            var instances = new List<string?>();
            if (AllInstances.IsPresent)
            {
                try
                {
                    instances.AddRange(Run(ct => session.ListInstancesAsync(Trace, ct)).Select(i => (string?)i.Instance));
                }
                catch (KuduException ex)
                {
                    WriteFailure(ex, session);
                    return;
                }
            }
            else if (TryResolveInstance(session, Instance, out string? instance))
            {
                instances.Add(instance);
            }
            else
            {
                return;
            }

            var item = new PartItem(KuduTarget.Of(session, null, Id, Name), instances.Count);
            bool everyInstance = AllInstances.IsPresent;
            foreach (string? instance in instances)
            {
                KuduTarget target = KuduTarget.Of(session, instance, Id, Name);
                _queue!.Start(ct => FetchOneAsync(target, everyInstance, ct), item);
                _queue.FlushCompleted(Emit, Fail);
            }
        }

        internal override void End() => _queue!.Finish(Emit, Fail);

        private async Task<List<T>?> FetchOneAsync(KuduTarget target, bool everyInstance, CancellationToken cancellationToken)
        {
            KuduClient kudu = target.Session!.Kudu(_limiter);
            try
            {
                if (target.Name == null || (target.Id ?? 0) <= 0)
                {
                    // Names the process in the output, and turns Kudu's 0 and -1 into the real id.
                    KuduProcessDetail detail = await kudu.GetProcessAsync(target.Instance, target.Id ?? 0, target.Name, includeEnvironment: false, Trace, cancellationToken).ConfigureAwait(false);
                    target = KuduTarget.Of(target.Session!, detail.Instance ?? target.Instance, detail.Id, detail.Name);
                }

                return await FetchAsync(kudu, target, cancellationToken).ConfigureAwait(false);
            }
            catch (KuduException ex) when (everyInstance && ex.Kind == KuduErrorKind.ProcessNotFound)
            {
                // A pid belongs to one instance: the others not having it is the expected answer.
                Trace.Verbose($"No process {target.Id} on {target.Location}.");
                return null;
            }
        }

        private void Emit(List<T>? items, object target)
        {
            var item = (PartItem)target;
            item.Answered++;
            if (items != null)
            {
                item.Found = true;
                foreach (T part in items)
                {
                    WriteObject(part);
                }
            }

            if (item.Answered == item.Instances && !item.Found)
            {
                WriteError(KuduErrors.Record(
                    new ItemNotFoundException($"No instance of {item.Target.SiteName} runs a process with Id {item.Target.Id}."),
                    "KuduProcessNotFound", ErrorCategory.ObjectNotFound, item.Target));
            }
        }

        private void Fail(Exception error, object target)
        {
            var item = (PartItem)target;
            item.Answered++;
            item.Found = true; // the failure is the news; no "not found" after it
            WriteFailure(error, item.Target);
        }

        /// <summary>One pipeline item across the instances asked.</summary>
        private sealed class PartItem
        {
            public PartItem(KuduTarget target, int instances)
            {
                Target = target;
                Instances = instances;
            }

            public KuduTarget Target { get; }
            public int Instances { get; }
            public int Answered { get; set; }
            public bool Found { get; set; }
        }
    }
}
