using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace KuduDiagnostics.Commands
{
    /// <summary>
    /// Lets work run on other threads while everything PowerShell sees (output, errors, progress, verbose)
    /// is written on the pipeline thread: workers post actions, the pipeline thread pumps them.
    /// </summary>
    internal sealed class PipelineBridge : IDisposable
    {
        private static readonly Action Wake = () => { };
        private readonly BlockingCollection<Action> _posts = new BlockingCollection<Action>();

        /// <summary>Queues an action for the pipeline thread. Safe from any thread, also after the command ended.</summary>
        public void Post(Action action)
        {
            try
            {
                _posts.Add(action);
            }
            catch (InvalidOperationException)
            {
                // The command has ended (collection completed or disposed); nobody is left to read it.
            }
        }

        /// <summary>
        /// Runs a function on the pipeline thread and waits for its answer (ShouldProcess from a worker). The
        /// pipeline thread must be pumping, which it is while any work of the command runs.
        /// </summary>
        public T Invoke<T>(Func<T> function, CancellationToken cancellationToken)
        {
            var answer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            Post(() =>
            {
                try
                {
                    answer.SetResult(function());
                }
                catch (Exception ex)
                {
                    answer.SetException(ex);
                }
            });
            answer.Task.Wait(cancellationToken);
            return answer.Task.GetAwaiter().GetResult();
        }

        /// <summary>Runs posted actions on the calling thread until the task completes, then drains what is left.</summary>
        public void PumpUntil(Task task, CancellationToken cancellationToken)
        {
            if (!task.IsCompleted)
            {
                task.ContinueWith(_ => Post(Wake), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            while (!task.IsCompleted)
            {
                Action action = _posts.Take(cancellationToken);
                action();
            }

            Drain();
        }

        public void Drain()
        {
            while (_posts.TryTake(out Action? action))
            {
                action();
            }
        }

        public void Dispose()
        {
            _posts.CompleteAdding();
            _posts.Dispose();
        }
    }

    /// <summary>Work of a command that may still be running.</summary>
    internal interface IRunningWork
    {
        IEnumerable<Task> Running { get; }
    }

    /// <summary>
    /// Runs one piece of async work per pipeline item and hands results back to the pipeline thread in input
    /// order. It does not bound anything: the requests inside the work take their slots from the core's limiter.
    /// </summary>
    internal sealed class OrderedWorkQueue<T> : IRunningWork
    {
        private readonly PipelineBridge _bridge;
        private readonly Queue<(Task<T> Task, object Target)> _inFlight = new Queue<(Task<T>, object)>();
        private readonly CancellationToken _cancellationToken;

        public OrderedWorkQueue(PipelineBridge bridge, CancellationToken cancellationToken)
        {
            _bridge = bridge;
            _cancellationToken = cancellationToken;
        }

        public IEnumerable<Task> Running
        {
            get
            {
                foreach ((Task<T> task, _) in _inFlight)
                {
                    yield return task;
                }
            }
        }

        public void Start(Func<CancellationToken, Task<T>> work, object target)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            _inFlight.Enqueue((Task.Run(() => work(_cancellationToken)), target));
        }

        /// <summary>Hands over every finished item at the head of the queue; stops at the first one still running.</summary>
        public void FlushCompleted(Action<T, object> onResult, Action<Exception, object> onError)
        {
            while (_inFlight.Count > 0 && _inFlight.Peek().Task.IsCompleted)
            {
                Deliver(_inFlight.Dequeue(), onResult, onError);
            }
        }

        /// <summary>Waits for every item in order, pumping the bridge meanwhile.</summary>
        public void Finish(Action<T, object> onResult, Action<Exception, object> onError)
        {
            while (_inFlight.Count > 0)
            {
                (Task<T> task, object target) = _inFlight.Peek();
                _bridge.PumpUntil(task, _cancellationToken);
                Deliver(_inFlight.Dequeue(), onResult, onError);
            }
        }

        private static void Deliver((Task<T> Task, object Target) item, Action<T, object> onResult, Action<Exception, object> onError)
        {
            if (item.Task.Status == TaskStatus.RanToCompletion)
            {
                onResult(item.Task.Result, item.Target);
                return;
            }

            Exception error = item.Task.Exception?.InnerException ?? item.Task.Exception ?? (Exception)new OperationCanceledException();
            onError(error, item.Target);
        }
    }
}
