using System;
using System.Management.Automation;
using KuduDiagnostics.Dumps;

namespace KuduDiagnostics.Commands
{
    /// <summary>Brings an app-dump run's events to Invoke-FunctionAppDump's pipeline thread; ShouldProcess waits for the answer there.</summary>
    internal sealed class AppDumpObserver : IAppDumpObserver
    {
        private readonly InvokeFunctionAppDumpCommand _cmdlet;
        private readonly DumpProgressView _progress = new DumpProgressView();

        public AppDumpObserver(InvokeFunctionAppDumpCommand cmdlet) => _cmdlet = cmdlet;

        public bool ShouldDump(KuduProcessDetail p) =>
            _cmdlet.Bridge.Invoke(() => _cmdlet.ShouldProcess(TargetOf(p).Display, DumpParameters.Action(_cmdlet.Kind!)), _cmdlet.CancellationToken);

        public void Dumped(KuduDumpResult result)
        {
            _cmdlet.Bridge.Post(() => _cmdlet.WriteObject(result));
            _cmdlet.AfterDump(result);
            _cmdlet.RecycleAfterDump(result);
        }

        // Leaving out the SCM worker is the documented default, not news: Verbose, so a runbook's warnings stay for trouble.
        public void Skipped(KuduProcessDetail p, string reason, KuduAdvice advice) =>
            _cmdlet.Bridge.Post(() => _cmdlet.WriteVerbose($"Skipped {TargetOf(p).Display}: {Advice.Phrase(reason, advice)}."));

        public void Failed(object target, Exception error)
        {
            KuduTarget? process = target switch
            {
                KuduProcessDetail d => TargetOf(d),
                KuduProcess p => p.Session == null ? null : KuduTarget.Of(p.Session, p.Instance, p.Id, p.Name),
                _ => null,
            };
            string what = process?.Display ?? (error as KuduException)?.Target?.Display ?? (target is string instance ? $"instance {KuduTarget.ShortId(instance)}" : $"{target}");
            string message = Advice.Apply(error).Message;
            string warning = message.StartsWith(what, StringComparison.Ordinal) ? $"Could not dump {message}" : $"Could not dump {what}: {message}";
            int? activity = target is KuduProcessDetail ? _progress.ActivityOf(process!) : (int?)null;
            _cmdlet.Bridge.Post(() =>
            {
                if (activity is int id)
                {
                    _cmdlet.WriteProgress(DumpProgressView.Completed(id, $"Dump of {what}"));
                }

                _cmdlet.WriteWarning(warning);
                _cmdlet.WriteFailure(error, target);
            });
        }

        public void Progress(DumpProgress p)
        {
            ProgressRecord record = DumpProgressView.Record(_progress.ActivityOf(p.Target), p);
            _cmdlet.Bridge.Post(() => _cmdlet.WriteProgress(record));
        }

        private static KuduTarget TargetOf(KuduProcessDetail d) => KuduTarget.Of(d.Session!, d.Instance, d.Id, d.Name);
    }
}
