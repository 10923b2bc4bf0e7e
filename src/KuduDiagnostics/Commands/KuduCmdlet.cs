using System;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Http;
using KuduDiagnostics.Session;

namespace KuduDiagnostics.Commands
{
    /// <summary>
    /// What every Kudu cmdlet shares: the default session, cancellation on Ctrl+C, and one bridge that brings
    /// work done on other threads back to the pipeline thread. PowerShell disposes a cmdlet when its pipeline ends,
    /// however it ends (done, stopped, a terminating error), so Dispose is where the source and the bridge go.
    /// </summary>
    public abstract class KuduCmdlet : PSCmdlet, IDisposable
    {
        // StopProcessing comes on another thread, perhaps after this command ended and was disposed.
        private readonly object _lifetime = new object();
        private bool _disposed;
        private CancellationTokenSource? _cancellation;
        private PipelineBridge? _bridge;
        private BridgeTrace? _trace;

        internal CancellationToken CancellationToken => _cancellation!.Token;

        internal PipelineBridge Bridge => _bridge!;

        /// <summary>A trace for the core that lands in this command's Verbose, Debug and Warning streams.</summary>
        internal IKuduTrace Trace => _trace!;

        internal Guid RunspaceId => Runspace.DefaultRunspace?.InstanceId ?? Guid.Empty;

        protected sealed override void BeginProcessing()
        {
            _cancellation = new CancellationTokenSource();
            _bridge = new PipelineBridge();
            _trace = new BridgeTrace(this, _bridge);
            Guard(Begin);
        }

        protected sealed override void ProcessRecord() => Guard(Process);

        protected sealed override void EndProcessing() => Guard(End);

        protected override void StopProcessing()
        {
            lock (_lifetime)
            {
                if (!_disposed)
                {
                    _cancellation?.Cancel();
                }
            }
        }

        public void Dispose()
        {
            lock (_lifetime)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
            }

            _bridge?.Dispose();
            _cancellation?.Dispose();
        }

        internal virtual void Begin()
        {
        }

        internal abstract void Process();

        internal virtual void End()
        {
        }

        private IRunningWork? _work;

        /// <summary>The command's queue of per-item work; Ctrl+C gives what is running a moment to clean up.</summary>
        internal OrderedWorkQueue<T> NewWorkQueue<T>()
        {
            var queue = new OrderedWorkQueue<T>(Bridge, CancellationToken);
            _work = queue;
            return queue;
        }

        /// <summary>
        /// The given session, else this runspace's newest one. No session at all is a terminating error (nothing
        /// can work); a removed session is an error for this pipeline item only, and null is returned.
        /// </summary>
        internal KuduSession? ResolveSession(KuduSession? session, string? whatElse = null)
        {
            KuduSession? resolved = session ?? SessionRegistry.Default(RunspaceId);
            if (resolved == null)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new InvalidOperationException(whatElse ?? "There is no Kudu session. Create one with New-KuduSession (it becomes the default), or pass -Session."),
                    "KuduSessionNotFound", ErrorCategory.ResourceUnavailable, null));
            }

            if (resolved!.IsClosed)
            {
                WriteFailure(new ObjectDisposedException(null, resolved.RemovedMessage), resolved);
                return null;
            }

            return resolved;
        }

        /// <summary>
        /// The instance id an -Instance value names (a full id or a unique prefix); null with no value. A value that
        /// names no instance, or several, is an error for this pipeline item: it is written and false returned.
        /// </summary>
        internal bool TryResolveInstance(KuduSession session, string? value, out string? instance)
        {
            instance = null;
            if (string.IsNullOrWhiteSpace(value))
            {
                return true;
            }

            try
            {
                instance = Run(ct => InstanceResolver.ResolveAsync(session, value!, Trace, ct));
                return true;
            }
            catch (KuduException ex)
            {
                WriteFailure(ex, value);
                return false;
            }
        }

        /// <summary>Runs async work to completion on the pipeline thread's behalf, pumping its messages meanwhile.</summary>
        internal T Run<T>(Func<CancellationToken, Task<T>> work)
        {
            Task<T> task = Task.Run(() => work(CancellationToken));
            Bridge.PumpUntil(task, CancellationToken);
            return task.GetAwaiter().GetResult();
        }

        internal void WriteFailure(Exception exception, object? target) => WriteError(KuduErrors.From(exception, target));

        // The streams below hide Cmdlet's own: every message is cleaned of control characters a server may have
        // put in it, and writing it never fails the command. Under -Debug, PowerShell asks (Inquire) after each
        // verbose or debug line; a host that cannot ask (pwsh -NonInteractive, Azure Automation) throws instead,
        // after the line was written: the line is there, so the work goes on.

        /// <summary>Cmdlet.WriteVerbose, cleaned, and safe under -Debug in a non-interactive host.</summary>
        internal new void WriteVerbose(string text) => Unprompted(() => base.WriteVerbose(ConsoleText.Clean(text)));

        /// <summary>Cmdlet.WriteDebug, cleaned, and safe under -Debug in a non-interactive host.</summary>
        internal new void WriteDebug(string text) => Unprompted(() => base.WriteDebug(ConsoleText.Clean(text)));

        /// <summary>Cmdlet.WriteWarning, cleaned, and safe with -WarningAction Inquire in a non-interactive host.</summary>
        internal new void WriteWarning(string text) => Unprompted(() => base.WriteWarning(ConsoleText.Clean(text)));

        private static void Unprompted(Action write)
        {
            try
            {
                write();
            }
            catch (Exception ex) when (ex is PSInvalidOperationException || ex is System.Management.Automation.Host.HostException)
            {
                // The host could not prompt; the message itself was written before the prompt.
            }
        }

        private void Guard(Action step)
        {
            try
            {
                step();
            }
            catch (Exception ex) when (ex is PipelineStoppedException || (ex is OperationCanceledException && _cancellation!.IsCancellationRequested))
            {
                // Ctrl+C (a Write* may notice before StopProcessing runs): stop the work and let it remove its
                // partial files before the pipeline unwinds.
                _cancellation!.Cancel();
                Task[] running = _work?.Running.ToArray() ?? Array.Empty<Task>();
                if (running.Length > 0)
                {
                    Task.WaitAny(Task.WhenAll(running), Task.Delay(TimeSpan.FromSeconds(10)));
                }

                throw new PipelineStoppedException();
            }
        }

        /// <summary>Posts the core's messages to the pipeline thread.</summary>
        private sealed class BridgeTrace : IKuduTrace
        {
            private readonly KuduCmdlet _cmdlet;
            private readonly PipelineBridge _bridge;

            public BridgeTrace(KuduCmdlet cmdlet, PipelineBridge bridge)
            {
                _cmdlet = cmdlet;
                _bridge = bridge;
            }

            public void Verbose(string message) => _bridge.Post(() => _cmdlet.WriteVerbose(message));

            public void Debug(string message) => _bridge.Post(() => _cmdlet.WriteDebug(message));

            public void Warning(string message) => _bridge.Post(() => _cmdlet.WriteWarning(message));

            public void Verbose(string fact, KuduAdvice? advice) => Verbose(Advice.Phrase(fact, advice));

            public void Warning(string fact, KuduAdvice? advice) => Warning(Advice.Phrase(fact, advice));
        }
    }
}
