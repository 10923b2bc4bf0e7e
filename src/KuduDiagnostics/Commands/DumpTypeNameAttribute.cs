using System;
using System.Management.Automation;

namespace KuduDiagnostics.Commands
{
    /// <summary>
    /// Turns a -DumpType name into the enum before PowerShell's own conversion, whose error would list every enum
    /// name, Custom included (the type of a -DumpTypeMask result, never a value to give).
    /// </summary>
    [AttributeUsage(AttributeTargets.Property)]
    internal sealed class DumpTypeNameAttribute : ArgumentTransformationAttribute
    {
        internal static readonly string[] Names = { "Mini", "Heap", "Full", "Triage" };

        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            if (value is string name)
            {
                foreach (string known in Names)
                {
                    if (string.Equals(name, known, StringComparison.OrdinalIgnoreCase))
                    {
                        return (DumpType)Enum.Parse(typeof(DumpType), known);
                    }
                }

                throw new ArgumentTransformationMetadataException($"'{name}' is not a dump type: use {string.Join(", ", Names, 0, Names.Length - 1)} or {Names[Names.Length - 1]}.");
            }

            return inputData;
        }
    }
}
