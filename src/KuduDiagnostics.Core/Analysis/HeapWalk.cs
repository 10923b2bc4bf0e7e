using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.Diagnostics.Runtime;

namespace KuduDiagnostics.Analysis
{
    /// <summary>
    /// One pass over the managed heap, segment by segment: the size of each generation and of each type, as
    /// dumpheap -stat counts them (free space apart). A Mini or Triage dump has the segments but not their memory:
    /// the walk then finds no object, without an error, which is how "no heap in the dump" is known.
    /// </summary>
    internal static class HeapWalk
    {
        private const int CancellationStride = 4096;

        public static void Run(ClrHeap heap, int top, KuduDumpAnalysis into, CancellationToken cancellationToken)
        {
            var byType = new Dictionary<ulong, TypeTotal>();
            long seen = 0;
            foreach (ClrSegment segment in heap.Segments)
            {
                foreach (ClrObject obj in segment.EnumerateObjects())
                {
                    if (++seen % CancellationStride == 0)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                    }

                    if (!obj.IsValid)
                    {
                        continue;
                    }

                    long size = (long)obj.Size;
                    if (obj.IsFree)
                    {
                        into.FreeSize += size;
                        continue;
                    }

                    into.ObjectCount++;
                    into.HeapSize += size;
                    AddToGeneration(into, segment.GetGeneration(obj.Address), size);
                    ClrType type = obj.Type!;
                    if (!byType.TryGetValue(type.MethodTable, out TypeTotal? total))
                    {
                        total = new TypeTotal(type);
                        byType.Add(type.MethodTable, total);
                    }

                    total.Count++;
                    total.Size += size;
                }
            }

            into.HeapInDump = into.ObjectCount > 0;
            // Names only for the rows shown: reading a type's name costs more than counting it.
            into.TopTypes = byType.Values
                .OrderByDescending(t => t.Size).ThenByDescending(t => t.Count)
                .Take(top)
                .Select(t => new KuduTypeStat { Type = t.Type.Name ?? $"<unknown type {t.Type.MethodTable:x}>", Count = t.Count, Size = t.Size })
                .ToArray();
        }

        private static void AddToGeneration(KuduDumpAnalysis into, Generation generation, long size)
        {
            switch (generation)
            {
                case Generation.Generation0: into.Generation0Size += size; break;
                case Generation.Generation1: into.Generation1Size += size; break;
                case Generation.Generation2: into.Generation2Size += size; break;
                case Generation.Large: into.LargeObjectSize += size; break;
                case Generation.Pinned: into.PinnedObjectSize += size; break;
                case Generation.Frozen: into.FrozenObjectSize += size; break;
            }
        }

        private sealed class TypeTotal
        {
            public TypeTotal(ClrType type) => Type = type;

            public ClrType Type { get; }
            public long Count;
            public long Size;
        }
    }
}
