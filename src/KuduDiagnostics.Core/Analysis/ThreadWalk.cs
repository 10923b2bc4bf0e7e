using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.Diagnostics.Runtime;

namespace KuduDiagnostics.Analysis
{
    /// <summary>The live managed threads: ids, their innermost managed frames, and the exception each holds.</summary>
    internal static class ThreadWalk
    {
        public static KuduThreadInfo[] Run(ClrRuntime runtime, int frames, CancellationToken cancellationToken)
        {
            var threads = new List<KuduThreadInfo>();
            foreach (ClrThread thread in runtime.Threads)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!thread.IsAlive)
                {
                    continue;
                }

                ClrException? exception = thread.CurrentException;
                threads.Add(new KuduThreadInfo
                {
                    ManagedThreadId = thread.ManagedThreadId,
                    OSThreadId = thread.OSThreadId,
                    Frames = frames == 0 ? Array.Empty<string>() : FramesOf(thread, frames),
                    Exception = exception == null ? null : new KuduExceptionInfo { Type = exception.Type?.Name ?? "<unknown type>", Message = exception.Message },
                });
            }

            return threads.ToArray();
        }

        /// <summary>Managed methods only: the runtime's own frames (InlinedCallFrame, ...) say nothing at triage.</summary>
        private static string[] FramesOf(ClrThread thread, int frames)
        {
            try
            {
                return thread.EnumerateStackTrace()
                    .Where(f => f.Kind == ClrStackFrameKind.ManagedMethod && f.Method != null)
                    .Take(frames)
                    .Select(f => f.Method!.Signature ?? f.Method.Name ?? f.ToString() ?? string.Empty)
                    .ToArray();
            }
            catch (Exception ex) when (!(ex is OperationCanceledException))
            {
                // A stack the dump lacks memory for must not cost the other threads.
                return new[] { $"<stack not readable: {ex.Message}>" };
            }
        }
    }
}
