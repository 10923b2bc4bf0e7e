using System;
using System.Globalization;

namespace KuduDiagnostics.Dumps
{
    /// <summary>A dump type resolved to the mask Kudu gets and the label names carry.</summary>
    internal sealed class DumpKind
    {
        private DumpKind(DumpType type, int mask, string label)
        {
            Type = type;
            Mask = mask;
            Label = label;
        }

        public DumpType Type { get; }
        public int Mask { get; }
        public string Label { get; }

        /// <summary>True when the mask asks for the whole address space (MiniDumpWithFullMemory, 0x2).</summary>
        public bool IsFullMemory => (Mask & 0x2) != 0;

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
                    return new DumpKind(type, (int)type, type.ToString().ToLowerInvariant());
                default:
                    throw new ArgumentException("Use -DumpTypeMask to ask for a custom MINIDUMP_TYPE mask.");
            }
        }
    }
}
