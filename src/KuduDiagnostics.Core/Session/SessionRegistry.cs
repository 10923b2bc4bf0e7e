using System;
using System.Collections.Generic;
using System.Linq;

namespace KuduDiagnostics.Session
{
    /// <summary>
    /// The sessions of each runspace; the newest open one is the default when a cmdlet gets no -Session.
    /// Keyed by runspace so parallel runspaces (ForEach-Object -Parallel, runbooks) do not share defaults.
    /// </summary>
    internal static class SessionRegistry
    {
        private static readonly object s_lock = new object();
        private static readonly Dictionary<Guid, List<KuduSession>> s_byRunspace = new Dictionary<Guid, List<KuduSession>>();

        /// <summary>Adds a session; true when it is the runspace's first, so the caller can watch the runspace close.</summary>
        public static bool Add(Guid runspace, KuduSession session)
        {
            lock (s_lock)
            {
                bool first = !s_byRunspace.TryGetValue(runspace, out List<KuduSession>? list);
                if (first)
                {
                    list = new List<KuduSession>();
                    s_byRunspace[runspace] = list;
                }

                list!.Add(session);
                return first;
            }
        }

        public static KuduSession? Default(Guid runspace)
        {
            lock (s_lock)
            {
                return s_byRunspace.TryGetValue(runspace, out List<KuduSession>? list)
                    ? list.LastOrDefault(s => !s.IsClosed)
                    : null;
            }
        }

        public static IReadOnlyList<KuduSession> List(Guid runspace)
        {
            lock (s_lock)
            {
                return s_byRunspace.TryGetValue(runspace, out List<KuduSession>? list)
                    ? list.Where(s => !s.IsClosed).ToList()
                    : new List<KuduSession>();
            }
        }

        public static void Remove(KuduSession session)
        {
            lock (s_lock)
            {
                foreach (List<KuduSession> list in s_byRunspace.Values)
                {
                    list.Remove(session);
                }
            }

            session.Dispose();
        }

        /// <summary>Closes every session of a runspace that is going away.</summary>
        public static void RemoveRunspace(Guid runspace)
        {
            List<KuduSession>? list;
            lock (s_lock)
            {
                if (!s_byRunspace.TryGetValue(runspace, out list))
                {
                    return;
                }

                s_byRunspace.Remove(runspace);
            }

            foreach (KuduSession session in list)
            {
                session.Dispose();
            }
        }
    }
}
