<#
.SYNOPSIS
    Packages the built module: a versioned module folder, a .nupkg made by Publish-PSResource itself (so the
    Gallery accepts it), and a zip laid out for Azure Automation's module import.
.OUTPUTS
    The paths of the three artefacts.
#>
param(
    [Parameter(Mandatory)] [string] $Root,
    [Parameter(Mandatory)] [string] $ModulePath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$manifestPath = Join-Path $ModulePath 'KuduDiagnostics.psd1'
$manifest = Test-ModuleManifest -Path $manifestPath -ErrorAction Stop
$version = $manifest.Version.ToString()
$out = Join-Path $Root 'out/package'
Remove-Item -Recurse -Force $out -ErrorAction Ignore
New-Item -ItemType Directory -Path $out | Out-Null

# 1. The versioned folder, as PowerShell installs it: KuduDiagnostics/<version>/...
$versioned = Join-Path $out "KuduDiagnostics/$version"
New-Item -ItemType Directory -Path $versioned | Out-Null
Copy-Item -Recurse -Path (Join-Path $ModulePath '*') -Destination $versioned

# 2. The .nupkg, from Publish-PSResource into a throw-away file repository (registered only for this call).
$repositoryName = "KuduDiagnosticsPackage$PID"
$repositoryPath = Join-Path $out 'repository'
New-Item -ItemType Directory -Path $repositoryPath | Out-Null
Import-Module Microsoft.PowerShell.PSResourceGet -ErrorAction Stop
Register-PSResourceRepository -Name $repositoryName -Uri $repositoryPath -Trusted
try {
    Publish-PSResource -Path $versioned -Repository $repositoryName -SkipDependenciesCheck
}
finally {
    Unregister-PSResourceRepository -Name $repositoryName
}
$nupkg = Get-ChildItem $repositoryPath -Filter '*.nupkg' | Select-Object -First 1
if (-not $nupkg) { throw 'Publish-PSResource produced no .nupkg.' }
$nupkgPath = Join-Path $out $nupkg.Name
Move-Item $nupkg.FullName $nupkgPath
Remove-Item -Recurse -Force $repositoryPath

# 3. Azure Automation: a zip named after the module with the manifest at its root.
# Automation wants the zip named exactly after the module.
$zipPath = Join-Path $out "KuduDiagnostics.zip"
Compress-Archive -Path (Join-Path $versioned '*') -DestinationPath $zipPath

Write-Host "   package: $versioned"
Write-Host "   package: $nupkgPath"
Write-Host "   package: $zipPath (for Azure Automation)"
[pscustomobject]@{ ModuleFolder = $versioned; Nupkg = $nupkgPath; AutomationZip = $zipPath; Version = $version }
