using System.IO;

namespace KuduDiagnostics.Analysis
{
    internal static class FileBytes
    {
        /// <summary>Exactly <paramref name="count"/> bytes at <paramref name="offset"/>; EndOfStreamException when the file is shorter.</summary>
        public static byte[] ReadAt(Stream stream, long offset, int count)
        {
            var buffer = new byte[count];
            stream.Position = offset;
            int read = 0;
            while (read < count)
            {
                int n = stream.Read(buffer, read, count - read);
                if (n == 0)
                {
                    throw new EndOfStreamException();
                }

                read += n;
            }

            return buffer;
        }
    }
}
