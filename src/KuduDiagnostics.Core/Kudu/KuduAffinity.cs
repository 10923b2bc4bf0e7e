using System;
using System.Collections.Generic;
using System.Linq;

namespace KuduDiagnostics.Kudu
{
    /// <summary>
    /// What one session knows of its site's instances: those that have answered it (id and machine name, one
    /// record each) and the one it stays on without -Instance, as a browser keeps the ARRAffinity cookie.
    /// Owned by the session's connection; the facade records into it, the resolver and completers read it.
    /// </summary>
    internal sealed class KuduAffinity
    {
        private readonly object _gate = new object();
        private readonly List<KuduInstance> _met = new List<KuduInstance>();
        private string? _pinned;

        /// <summary>The instance requests without -Instance go to; null until one has answered.</summary>
        public string? Pinned
        {
            get
            {
                lock (_gate)
                {
                    return _pinned;
                }
            }
        }

        /// <summary>The instances that have answered this session, in the order they first did (copies).</summary>
        public IReadOnlyList<KuduInstance> Met
        {
            get
            {
                lock (_gate)
                {
                    return _met.Select(i => new KuduInstance { Instance = i.Instance, MachineName = i.MachineName }).ToList();
                }
            }
        }

        /// <summary>Records an instance that answered (and its machine name when the answer told it).</summary>
        public void Record(string? instance, string? machineName)
        {
            if (string.IsNullOrEmpty(instance))
            {
                return;
            }

            lock (_gate)
            {
                KuduInstance? known = _met.Find(i => string.Equals(i.Instance, instance, StringComparison.OrdinalIgnoreCase));
                if (known == null)
                {
                    _met.Add(new KuduInstance { Instance = instance!, MachineName = machineName });
                }
                else if (machineName != null)
                {
                    known.MachineName = machineName;
                }
            }
        }

        public string? MachineNameOf(string instance)
        {
            lock (_gate)
            {
                return _met.Find(i => string.Equals(i.Instance, instance, StringComparison.OrdinalIgnoreCase))?.MachineName;
            }
        }

        /// <summary>Stays on the first instance that answered a request made without -Instance.</summary>
        public void PinIfNone(string? served)
        {
            if (string.IsNullOrEmpty(served))
            {
                return;
            }

            lock (_gate)
            {
                _pinned ??= served;
            }
        }

        /// <summary>Moves from a pinned instance that is gone to the one that answered; true only for the call that moved it.</summary>
        public bool Move(string gone, string answered)
        {
            lock (_gate)
            {
                if (!string.Equals(_pinned, gone, StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }

                _pinned = answered;
                _met.RemoveAll(i => string.Equals(i.Instance, gone, StringComparison.OrdinalIgnoreCase));
                return true;
            }
        }
    }
}
