# Baseline for the fast server: a bare HttpClient response stream into a FileStream, 4 MiB buffer, same final flush.
param($ScmUrl, $UserName, $Password, $Instance, $ProcessId, $DumpType, $Folder, $ExpectedBytes)
$ErrorActionPreference = 'Stop'
$file = Join-Path $Folder 'bare.dmp'
$client = [Net.Http.HttpClient]::new()
$request = [Net.Http.HttpRequestMessage]::new('GET', "$ScmUrl/api/processes/$ProcessId/dump?dumpType=$DumpType&format=raw")
$request.Headers.Authorization = [Net.Http.Headers.AuthenticationHeaderValue]::new('Basic', [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("$($UserName):$Password")))
$request.Headers.Add('Cookie', "ARRAffinity=$Instance")
$cpu = [Diagnostics.Process]::GetCurrentProcess().TotalProcessorTime
$clock = [Diagnostics.Stopwatch]::StartNew()
$response = $client.SendAsync($request, [Net.Http.HttpCompletionOption]::ResponseHeadersRead).GetAwaiter().GetResult()
$null = $response.EnsureSuccessStatusCode()
$body = $response.Content.ReadAsStream()
$out = [IO.FileStream]::new($file, 'Create', 'Write', 'None', 4MB)
$body.CopyTo($out, 4MB)
$out.Flush($true)
$out.Dispose()
$seconds = $clock.Elapsed.TotalSeconds
$cpu = ([Diagnostics.Process]::GetCurrentProcess().TotalProcessorTime - $cpu).TotalSeconds
$bytes = (Get-Item $file).Length
if ($bytes -ne [long]$ExpectedBytes) { throw "bare copy wrote $bytes bytes, expected $ExpectedBytes" }
Remove-Item $file
@{ seconds = $seconds; peakWorkingSet = [Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64; bytes = $bytes; cpu = $cpu } | ConvertTo-Json -Compress
