<#
.SYNOPSIS
  Build the Fundus Vessel Workstation for Windows: PyInstaller bundle, smoke test, Inno Setup installer.

.DESCRIPTION
  Run from a PowerShell prompt in the repository (Windows 10/11 x64):

    py -3.11 -m venv .venv
    .venv\Scripts\python -m pip install -e . "pyinstaller>=6.10"     # the run time: no torch
    powershell -ExecutionPolicy Bypass -File packaging\build_windows.ps1

  Needs Inno Setup 6.3+ (ISCC.exe; https://jrsoftware.org/isinfo.php) for the installer.
  Output: dist\FundusWorkstation-Setup-<version>.exe (and the bundle in build\dist\fundus-workstation).
  The bundle holds fundus-app.exe (console: the command line) and FundusWorkstation.exe (no console:
  shortcuts and file associations); both are the same program.

.PARAMETER Python
  Interpreter of the virtualenv (default .venv\Scripts\python.exe).
.PARAMETER Iscc
  Path of ISCC.exe (default: found in Program Files or on PATH).
.PARAMETER NoSmoke
  Skip the smoke test of the bundle.
.PARAMETER NoInstaller
  Stop after the bundle (no Inno Setup).
#>
[CmdletBinding()]
param(
    [string]$Python = "",
    [string]$Iscc = "",
    [switch]$NoSmoke,
    [switch]$NoInstaller
)
$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest

$Here = Split-Path -Parent $MyInvocation.MyCommand.Path
$Repo = (Resolve-Path (Join-Path $Here "..")).Path
Set-Location $Repo
if (-not $Python) { $Python = Join-Path $Repo ".venv\Scripts\python.exe" }
$Build = Join-Path $Repo "build"
$Dist = Join-Path $Repo "dist"
$Bundle = Join-Path $Build "dist\fundus-workstation"
$Icons = Join-Path $Build "icons"
$Timer = [Diagnostics.Stopwatch]::StartNew()

function Step([string]$Text) { Write-Host ("`n=== {0} ({1:N0}s)" -f $Text, $Timer.Elapsed.TotalSeconds) }
function Fail([string]$Text) { Write-Error "build_windows: $Text"; exit 1 }
function Invoke-Checked([string]$Exe, [string[]]$Arguments) {
    $ErrorActionPreference = "Continue"  # Windows PowerShell 5.1 turns a native program's stderr into errors
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { Fail "$Exe $($Arguments -join ' ') exited $LASTEXITCODE" }
}

# --- preflight --------------------------------------------------------------------------------
if (-not (Test-Path $Python)) { Fail "no Python at $Python (create the venv first, see the help)" }
$ErrorActionPreference = "Continue"
& $Python -c "import PyInstaller" 2>$null | Out-Null
$ErrorActionPreference = "Stop"
if ($LASTEXITCODE -ne 0) { Fail "PyInstaller is not installed in $Python (pip install 'pyinstaller>=6.10')" }
$Init = Get-Content (Join-Path $Repo "fundus_app\__init__.py") -Raw
if ($Init -notmatch '(?m)^__version__\s*=\s*"([^"]+)"') { Fail "cannot read __version__ from fundus_app\__init__.py" }
$Version = $Matches[1]
Write-Host "Fundus Vessel Workstation $Version"

if (-not $NoInstaller) {
    if (-not $Iscc) {
        $candidates = @(
            (Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\ISCC.exe"),
            (Join-Path $env:ProgramFiles "Inno Setup 6\ISCC.exe"),
            (Join-Path $env:LOCALAPPDATA "Programs\Inno Setup 6\ISCC.exe")
        )
        $Iscc = ($candidates | Where-Object { $_ -and (Test-Path $_) } | Select-Object -First 1)
        if (-not $Iscc) { $cmd = Get-Command ISCC.exe -ErrorAction SilentlyContinue; if ($cmd) { $Iscc = $cmd.Source } }
    }
    if (-not $Iscc -or -not (Test-Path $Iscc)) { Fail "ISCC.exe (Inno Setup 6.3+) not found; pass -Iscc or use -NoInstaller" }
}

# --- icons and bundle --------------------------------------------------------------------------
Step "icons"
$env:QT_QPA_PLATFORM = "offscreen"
Invoke-Checked $Python @((Join-Path $Here "make_icons.py"), $Icons)
Remove-Item Env:\QT_QPA_PLATFORM

Step "PyInstaller bundle"
if (Test-Path $Bundle) { Remove-Item -Recurse -Force $Bundle }
$env:FUNDUS_ICON_DIR = $Icons
Invoke-Checked $Python @("-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
    "--distpath", (Join-Path $Build "dist"), "--workpath", (Join-Path $Build "pyi"),
    (Join-Path $Here "fundus_app.spec"))
Remove-Item Env:\FUNDUS_ICON_DIR
foreach ($exe in @("fundus-app.exe", "FundusWorkstation.exe")) {
    if (-not (Test-Path (Join-Path $Bundle $exe))) { Fail "PyInstaller produced no $exe" }
}

# --- smoke test (the checks of packaging/smoke.sh that matter on Windows) ------------------------
if (-not $NoSmoke) {
    Step "smoke test"
    $Exe = Join-Path $Bundle "fundus-app.exe"
    $Sample = Join-Path $Bundle "_internal\resources\samples\hrf_01_h.jpg"
    $Work = Join-Path ([IO.Path]::GetTempPath()) ("fundus-smoke-" + [Guid]::NewGuid().ToString("N").Substring(0, 8))
    New-Item -ItemType Directory -Path $Work | Out-Null
    $failures = New-Object System.Collections.Generic.List[string]
    foreach ($name in @("FUNDUS_MODELS_DIR", "FUNDUS_RESOURCES", "PYTHONPATH", "PYTHONHOME")) {
        Remove-Item "Env:\$name" -ErrorAction SilentlyContinue
    }
    function Check([string]$Name, [string[]]$Arguments, [hashtable]$Vars = @{}) {
        $ErrorActionPreference = "Continue"  # stderr lines are data here, not errors
        foreach ($k in $Vars.Keys) { Set-Item "Env:\$k" $Vars[$k] }
        $t = [Diagnostics.Stopwatch]::StartNew()
        $out = & $Exe @Arguments 2>&1 | Out-String
        $code = $LASTEXITCODE
        foreach ($k in $Vars.Keys) { Remove-Item "Env:\$k" }
        $bad = $out -split "`n" | Where-Object { $_ -match '(?i)traceback|modulenotfounderror|importerror|no such file|not found|unavailable' }
        if ($code -ne 0) { $failures.Add("$Name exited $code"); Write-Host "  FAIL  $Name`n$out"; return $false }
        if ($bad) { $failures.Add("$Name stderr: $($bad -join ' | ')"); Write-Host "  FAIL  $Name`n$out"; return $false }
        Write-Host ("  ok    {0} ({1:N2} s)" -f $Name, $t.Elapsed.TotalSeconds)
        return $true
    }
    function Expect-Files([string]$Dir, [string]$Stem) {
        foreach ($f in @("${Stem}_prob.png", "${Stem}_mask.png", "${Stem}_overlay.png", "$Stem.json")) {
            $p = Join-Path $Dir $f
            if (-not (Test-Path $p) -or (Get-Item $p).Length -eq 0) { $failures.Add("$Stem`: $f missing") }
        }
        try {
            $rec = Get-Content (Join-Path $Dir "$Stem.json") -Raw -Encoding UTF8 | ConvertFrom-Json
            if (-not ($rec.biomarkers.vessel_density -gt 0 -and $rec.biomarkers.vessel_density -lt 1)) {
                $failures.Add("$Stem.json: implausible vessel density")
            }
        } catch { $failures.Add("$Stem.json does not parse: $_") }
    }

    if (Check "--version" @("--version")) { }
    Check "self-test" @() @{ FUNDUS_BUNDLE_SELFTEST = "1" } | Out-Null
    if (Check "segment" @("segment", $Sample, "--out", (Join-Path $Work "seg"))) { Expect-Files (Join-Path $Work "seg") "hrf_01_h" }
    $dicoms = @("hrf_01_h_j2k.dcm", "hrf_01_h_rle.dcm", "hrf_01_h_jpeg.dcm") | ForEach-Object { Join-Path $Here "testdata\$_" }
    $rasters = @("hrf_01_h_lzw.tif", "hrf_01_h_16bit.png") | ForEach-Object { Join-Path $Here "testdata\$_" }
    if (Check "segment DICOM/TIFF/PNG --crf" (@("segment", "--crf") + $dicoms + $rasters + @("--out", (Join-Path $Work "formats")))) {
        foreach ($s in @("hrf_01_h_j2k", "hrf_01_h_rle", "hrf_01_h_jpeg", "hrf_01_h_lzw", "hrf_01_h_16bit")) {
            Expect-Files (Join-Path $Work "formats") $s
        }
    }
    foreach ($lang in @("en", "zh")) {
        $pdf = Join-Path $Work "report_$lang.pdf"
        if (Check "report $lang" @("report", $dicoms[0], "--lang", $lang, "--out", $pdf)) {
            $text = [Text.Encoding]::ASCII.GetString([IO.File]::ReadAllBytes($pdf))
            if (-not $text.StartsWith("%PDF-")) { $failures.Add("report_$lang.pdf is not a PDF") }
            elseif ($lang -eq "zh" -and -not ($text.Contains("FontFile2") -and $text.Contains("WenQuanYi"))) {
                $failures.Add("report_zh.pdf does not embed the bundled Chinese font")
            }
        }
    }
    $shot = Join-Path $Work "gui.png"
    if (Check "gui --screenshot" @("gui", $Sample, "--screenshot", $shot) @{ QT_QPA_PLATFORM = "offscreen" }) {
        if (-not (Test-Path $shot)) { $failures.Add("gui.png missing") }
    }
    # the windowed executable (shortcuts, file associations) on the real Windows platform plugin
    $shot2 = Join-Path $Work "gui_windowed.png"
    $t = [Diagnostics.Stopwatch]::StartNew()
    $p = Start-Process -FilePath (Join-Path $Bundle "FundusWorkstation.exe") -Wait -PassThru `
        -ArgumentList @("gui", "`"$Sample`"", "--screenshot", "`"$shot2`"")
    if ($p.ExitCode -ne 0 -or -not (Test-Path $shot2)) { $failures.Add("FundusWorkstation.exe gui --screenshot failed ($($p.ExitCode))") }
    else { Write-Host ("  ok    FundusWorkstation.exe gui --screenshot ({0:N2} s)" -f $t.Elapsed.TotalSeconds) }
    Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue
    if ($failures.Count -gt 0) { Fail ("smoke test failed:`n  - " + ($failures -join "`n  - ")) }
    Write-Host "smoke: all checks passed"
}

# --- installer --------------------------------------------------------------------------------
if (-not $NoInstaller) {
    Step "Inno Setup"
    New-Item -ItemType Directory -Force -Path $Dist | Out-Null
    Invoke-Checked $Iscc @("/Q", "/DAppVersion=$Version", "/DSourceDir=$Bundle", "/DOutputDir=$Dist",
        "/DIconFile=$(Join-Path $Icons 'app.ico')", (Join-Path $Here "FundusWorkstation.iss"))
    $Setup = Join-Path $Dist "FundusWorkstation-Setup-$Version.exe"
    if (-not (Test-Path $Setup)) { Fail "ISCC produced no $Setup" }
    $hash = (Get-FileHash -Algorithm SHA256 $Setup).Hash.ToLower()
    "$hash  $(Split-Path -Leaf $Setup)" | Out-File -Encoding ascii (Join-Path $Dist "SHA256SUMS-windows.txt")
}

Step "done"
$size = (Get-ChildItem -Recurse -File $Bundle | Measure-Object -Sum Length).Sum / 1MB
Write-Host ("  bundle     {0:N0} MB  {1}" -f $size, $Bundle)
if (-not $NoInstaller) { Write-Host ("  installer  {0:N0} MB  {1}" -f ((Get-Item $Setup).Length / 1MB), $Setup) }
