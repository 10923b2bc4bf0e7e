using System;
using System.Management.Automation;
using KuduDiagnostics.Dumps;
using KuduDiagnostics.Kudu;
using KuduDiagnostics.Session;

namespace KuduDiagnostics.Commands
{
    /// <summary>
    /// Stops (kills) processes of an App Service, with their children, as Kudu's Process Explorer does: one at a
    /// time, in pipeline order, each sent once to the instance that runs it. Piped from Save-KuduProcessDump, each
    /// process is stopped only after its dump was stored: "dump, then recycle" in one pipeline.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Stop, "KuduProcess", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(KuduProcessDetail))]
    public sealed class StopKuduProcessCommand : KuduCmdlet
    {
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(SessionCompleter))]
        [ValidateNotNull]
        public KuduSession? Session { get; set; }

        /// <summary>The instance that runs the process (from Get-KuduProcess or a dump result), or a unique start of its id; without it, the session's instance.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(InstanceCompleter))]
        public string? Instance { get; set; }

        /// <summary>The process id (a dump result's ProcessId binds here). 0 is Kudu's own w3wp (the SCM site); -1 the first other w3wp.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("ProcessId")]
        [ArgumentCompleter(typeof(ProcessIdCompleter))]
        public int Id { get; set; }

        /// <summary>The process name, so that prompts and messages name it; Kudu's answer carries its own.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("ProcessName")]
        public string? Name { get; set; }

        /// <summary>Also stops the SCM (Kudu) site's own worker, refused by default: stopping it ends Kudu itself.</summary>
        [Parameter]
        public SwitchParameter IncludeScmSite { get; set; }

        /// <summary>Outputs each process stopped (its detail as read just before the stop).</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        internal override void Process()
        {
            KuduSession? session = ResolveSession(Session);
            if (session == null || !TryResolveInstance(session, Instance, out string? instance))
            {
                return;
            }

            KuduTarget asked = KuduTarget.Of(session, instance, Id, Name);
            KuduProcessDetail? process;
            try
            {
                process = Run(ct => ProcessStop.InspectAsync(asked, Trace, ct));
            }
            catch (KuduException ex)
            {
                WriteFailure(ex, asked);
                return;
            }

            if (process == null)
            {
                WriteWarning($"{asked.Display} is already gone: nothing to stop.");
                return;
            }

            KuduTarget target = ProcessStop.TargetOf(process);
            if (process.IsScmSite && !IncludeScmSite.IsPresent)
            {
                WriteError(KuduErrors.Record(
                    new InvalidOperationException($"{target.Display} was not stopped: {ProcessStop.ScmSiteFact}. Add -IncludeScmSite to stop it anyway."),
                    "KuduScmSiteStopRefused", ErrorCategory.InvalidOperation, target));
                return;
            }

            string action = process.IsScmSite
                ? "Stop the SCM (Kudu) site's own worker and its children: Kudu itself ends until its next request"
                : "Stop the process and its children (the site starts a new worker on its next request)";
            if (!ShouldProcess(target.Display, action))
            {
                return;
            }

            try
            {
                if (!Run(ct => ProcessStop.StopAsync(process, Trace, ct)))
                {
                    WriteWarning($"{target.Display} exited before the stop arrived: nothing to stop.");
                    return;
                }
            }
            catch (KuduException ex)
            {
                WriteFailure(ex, target);
                return;
            }

            WriteVerbose($"Stopped {target.Display}.");
            if (PassThru.IsPresent)
            {
                WriteObject(process);
            }
        }
    }
}
