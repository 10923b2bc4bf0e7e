using System;
using System.Globalization;

namespace KuduDiagnostics.Kudu
{
    /// <summary>What kind of dump is asked for, independent of the platform; each wire contract turns it into its query.</summary>
    internal sealed class DumpKind
    {
        private DumpKind(DumpType type, int? rawMask, string label)
        {
            Type = type;
            RawMask = rawMask;
            Label = label;
        }

        public DumpType Type { get; }

        /// <summary>A raw MINIDUMP_TYPE mask (-DumpTypeMask), which only Windows understands; null otherwise.</summary>
        public int? RawMask { get; }

        /// <summary>The word file names and messages carry: mini, heap, full, mask0x....</summary>
        public string Label { get; }

        /// <summary>True when the whole address space is written (a full dump, or a mask with MiniDumpWithFullMemory).</summary>
        public bool IsFullMemory => Type == DumpType.Full || (RawMask is int mask && (mask & 0x2) != 0);

        /// <summary>A CPU profile (.diagsession) through the same destinations and naming as a dump.</summary>
        public static DumpKind Profile(bool iisProfiling) => new DumpKind(DumpType.Custom, null, iisProfiling ? "iisprofile" : "profile");

        public static DumpKind From(DumpType type, int? rawMask)
        {
            if (rawMask is int mask)
            {
                if (mask < 0)
                {
                    throw new ArgumentOutOfRangeException(nameof(rawMask), "A MINIDUMP_TYPE mask is a non-negative number, e.g. 0x41A25.");
                }

                return new DumpKind(DumpType.Custom, mask, "mask0x" + mask.ToString("x", CultureInfo.InvariantCulture));
            }

            switch (type)
            {
                case DumpType.Mini:
                case DumpType.Full:
                case DumpType.Heap:
                case DumpType.Triage:
                    return new DumpKind(type, null, type.ToString().ToLowerInvariant());
                default:
                    throw new KuduArgumentException($"{type} is no dump type of its own: a custom MINIDUMP_TYPE mask is given as a mask.", AdviceKey.CustomMaskParameter);
            }
        }
    }
}
