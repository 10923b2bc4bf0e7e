# Baseline: download the dump to a file (Invoke-WebRequest -OutFile), then upload the file with the Azure SDK
# (the same Azure.Storage.Blobs, block size and concurrency the module uses).
param($ScmUrl, $UserName, $Password, $Instance, $ProcessId, $ConnectionString, $Container, $ExpectedBytes, $Folder, $Dependencies)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
foreach ($name in 'System.Memory.Data', 'System.ClientModel', 'System.IO.Hashing', 'Azure.Core', 'Azure.Storage.Common', 'Azure.Storage.Blobs') {
    Add-Type -Path (Join-Path $Dependencies "$name.dll")
}
$file = Join-Path $Folder 'dump.dmp'
$headers = @{ Authorization = 'Basic ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("$($UserName):$Password")); Cookie = "ARRAffinity=$Instance" }
$clock = [Diagnostics.Stopwatch]::StartNew()
Invoke-WebRequest -Uri "$ScmUrl/api/processes/$ProcessId/dump?dumpType=1&format=raw" -Headers $headers -OutFile $file
$blob = [Azure.Storage.Blobs.BlobClient]::new($ConnectionString, $Container, "twostep/$([guid]::NewGuid()).dmp")
$options = [Azure.Storage.Blobs.Models.BlobUploadOptions]::new()
$transfer = [Azure.Storage.StorageTransferOptions]::new()
$transfer.InitialTransferSize = 4MB; $transfer.MaximumTransferSize = 4MB; $transfer.MaximumConcurrency = 4
$options.TransferOptions = $transfer
$null = $blob.Upload($file, $options)
$seconds = $clock.Elapsed.TotalSeconds
if ((Get-Item $file).Length -ne [long]$ExpectedBytes) { throw 'wrong size' }
@{ seconds = $seconds; peakWorkingSet = [Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 } | ConvertTo-Json -Compress
