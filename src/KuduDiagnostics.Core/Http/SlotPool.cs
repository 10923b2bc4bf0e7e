using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace KuduDiagnostics.Http
{
    /// <summary>
    /// A counting semaphore whose urgent waiters are served before the others, each group first come first served.
    /// A freed slot goes straight to the next waiter, so a late arrival never overtakes someone queued.
    /// </summary>
    internal sealed class SlotPool
    {
        private readonly object _gate = new object();
        private readonly LinkedList<TaskCompletionSource<bool>> _urgent = new LinkedList<TaskCompletionSource<bool>>();
        private readonly LinkedList<TaskCompletionSource<bool>> _normal = new LinkedList<TaskCompletionSource<bool>>();
        private int _free;

        public SlotPool(int slots) => _free = slots;

        public async Task WaitAsync(bool urgent, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            LinkedListNode<TaskCompletionSource<bool>> node;
            lock (_gate)
            {
                if (_free > 0)
                {
                    _free--;
                    return;
                }

                // Continuations run elsewhere: Release hands over a slot without running the next request inline.
                var waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                node = (urgent ? _urgent : _normal).AddLast(waiter);
            }

            using (cancellationToken.Register(() => Cancel(node)))
            {
                await node.Value.Task.ConfigureAwait(false);
            }
        }

        public void Release()
        {
            TaskCompletionSource<bool>? next = null;
            lock (_gate)
            {
                LinkedList<TaskCompletionSource<bool>>? queue = _urgent.Count > 0 ? _urgent : _normal.Count > 0 ? _normal : null;
                if (queue == null)
                {
                    _free++;
                }
                else
                {
                    next = queue.First!.Value;
                    queue.RemoveFirst();
                }
            }

            next?.TrySetResult(true);
        }

        private void Cancel(LinkedListNode<TaskCompletionSource<bool>> node)
        {
            lock (_gate)
            {
                // Already handed a slot by Release: the waiter owns it and gives it back itself.
                if (node.List == null)
                {
                    return;
                }

                node.List.Remove(node);
            }

            node.Value.TrySetCanceled();
        }
    }
}
