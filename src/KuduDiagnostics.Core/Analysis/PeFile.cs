using System;
using System.IO;

namespace KuduDiagnostics.Analysis
{
    /// <summary>
    /// The two numbers a Windows module is indexed by (COFF TimeDateStamp and SizeOfImage): ClrMD reports them for
    /// the dump's coreclr.dll or clr.dll, so the copy on this machine is known to be that very build when they match.
    /// </summary>
    internal static class PeFile
    {
        /// <summary>(TimeDateStamp, SizeOfImage), or null when the file is not a readable PE image.</summary>
        public static (int TimeStamp, int SizeOfImage)? ReadIndex(string path)
        {
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                byte[] dos = FileBytes.ReadAt(stream, 0, 64);
                if (dos[0] != 'M' || dos[1] != 'Z')
                {
                    return null;
                }

                int pe = BitConverter.ToInt32(dos, 0x3C);
                // "PE\0\0", the 20-byte COFF header, then the optional header up to SizeOfImage (offset 56).
                byte[] headers = FileBytes.ReadAt(stream, pe, 4 + 20 + 60);
                if (headers[0] != 'P' || headers[1] != 'E' || headers[2] != 0 || headers[3] != 0)
                {
                    return null;
                }

                return (BitConverter.ToInt32(headers, 4 + 4), BitConverter.ToInt32(headers, 24 + 56));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is ArgumentException)
            {
                return null;
            }
        }
    }
}
