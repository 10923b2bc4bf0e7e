using System;
using System.Collections.Generic;

namespace KuduDiagnostics
{
    /// <summary>
    /// What a user can do about a fact the core reports. The core states the fact and names the key; the cmdlet layer
    /// (Commands/Advice.cs) phrases it, because only it knows the cmdlets and parameters a user types.
    /// </summary>
    public enum AdviceKey
    {
        // Sessions and sign-in
        NoAuthentication,
        NoSite,
        ResourceIdNeedsAzureIdentity,
        UseScmUri,
        CredentialsAsParameters,
        AllowUnencrypted,
        UnknownEnvironment,
        EntraTokenOrBasicAuthentication,
        SignInToEntra,
        NewSessionIfCredentialsChanged,
        ResourceIdOfSite,
        PassSiteResourceId,
        RaiseTimeout,

        // Instances and processes
        InstancesNeedResourceManager,
        ListInstances,
        InstancesListed,
        InstancesPartlyKnown,
        ProcessOnAnotherInstance,
        RestartLinuxApp,

        // Dump kinds and sizes
        CustomMaskParameter,
        WindowsDumpTypes,
        LinuxDumpTypes,
        LinuxFormat,
        SmallerWindowsDump,
        SmallerWindowsDumpOrLessMemory,
        SmallerLinuxDump,
        SmallerLinuxDumpOrLessMemory,

        // Destinations
        UseForce,
        PathIsFile,
        WritableFolder,
        FreeSpace,
        ContainerName,
        BlobPrefix,
        BlobCredential,
        CreateContainer,

        // Selection, watching and analysis
        AllInstances,
        IncludeScmSiteToDump,
        IncludeScmSiteToWatch,
        OtherInstances,
        CpuTrigger,
        WatchTrigger,
        WatchInterval,
        WatchDurations,
        WatchCount,
        DacPathForLinuxDump,
        GivenDacPath,
        DacOrSymbols,
        ZipFormat,
        DownloadBlob,
    }

    /// <summary>An advice key and the values its words need; converts from a bare key.</summary>
    public sealed class KuduAdvice
    {
        private static readonly string[] NoValues = Array.Empty<string>();

        public KuduAdvice(AdviceKey key, params string[] values)
        {
            Key = key;
            Values = values ?? NoValues;
        }

        public AdviceKey Key { get; }

        public IReadOnlyList<string> Values { get; }

        /// <summary>The value at <paramref name="index"/>, or an empty string.</summary>
        public string Value(int index) => index < Values.Count ? Values[index] ?? string.Empty : string.Empty;

        public static implicit operator KuduAdvice(AdviceKey key) => new KuduAdvice(key);

        public override string ToString() => Values.Count == 0 ? Key.ToString() : $"{Key}({string.Join(", ", Values)})";
    }

    /// <summary>
    /// A failure that states a fact and carries advice: the cmdlet layer phrases the advice once, and from then on the
    /// exception's Message is the whole message a user reads (scripts log $_.Exception.Message).
    /// </summary>
    public interface IAdvisedException
    {
        /// <summary>What to do about it; null when there is nothing to add.</summary>
        KuduAdvice? Advice { get; }

        /// <summary>The fact alone, as the core stated it.</summary>
        string Fact { get; }

        /// <summary>Sets the whole message (the fact with its advice phrased in). The first phrasing stays.</summary>
        void Phrase(string message);
    }

    /// <summary>The advice and the phrasing that every failure of the core shares (an ArgumentException has its own: <see cref="KuduArgumentException"/>).</summary>
    public abstract class AdvisedException : Exception, IAdvisedException
    {
        private string? _phrased;

        protected AdvisedException(string fact, Exception? inner, KuduAdvice? advice)
            : base(fact, inner)
        {
            Advice = advice;
        }

        public KuduAdvice? Advice { get; }

        public string Fact => base.Message;

        public override string Message => Text;

        /// <summary>The fact, or the whole message once the cmdlet layer phrased its advice.</summary>
        protected string Text => _phrased ?? base.Message;

        void IAdvisedException.Phrase(string message) => _phrased ??= message;
    }
}
