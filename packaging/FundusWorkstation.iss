; Inno Setup script: FundusWorkstation-Setup-<version>.exe, a per-machine installer of the
; PyInstaller bundle. Built by packaging/build_windows.ps1, which passes the defines below:
;
;   ISCC.exe /DAppVersion=0.1.0 /DSourceDir=..\build\dist\fundus-workstation ^
;            /DOutputDir=..\dist /DIconFile=..\build\icons\app.ico packaging\FundusWorkstation.iss
;
; Needs Inno Setup 6.3 or newer (x64compatible). What it does:
; - installs the bundle under C:\Program Files\Fundus Vessel Workstation (admin, all users);
;   an upgrade first deletes the old _internal\ so no stale library outlives a version;
; - Start-menu folder (application, uninstaller) and, as an option, a desktop shortcut; both start
;   FundusWorkstation.exe (no console window) with the `gui` command;
; - file associations: .dcm/.dicom open with the workstation (task, on by default; Windows may still
;   ask the user once, it does not let installers take over a type another program owns), and the
;   workstation is offered in "Open with" for .png, .jpg/.jpeg, .tif/.tiff without taking them over;
; - optionally adds the install folder to the system PATH so `fundus-app` works in a terminal;
; - uninstaller (Settings > Apps, or the Start-menu entry) removes files, shortcuts, associations
;   and the PATH entry. User data (settings, logs in %LOCALAPPDATA%\FundusVessel) stay.

#ifndef AppVersion
  #error Pass /DAppVersion=x.y.z (build_windows.ps1 reads it from fundus_app/__init__.py)
#endif
; Defaults are relative to this script's folder (SourcePath); build_windows.ps1 passes absolute paths.
#ifndef SourceDir
  #define SourceDir AddBackslash(SourcePath) + "..\build\dist\fundus-workstation"
#endif
#ifndef OutputDir
  #define OutputDir AddBackslash(SourcePath) + "..\dist"
#endif
#ifndef IconFile
  #define IconFile AddBackslash(SourcePath) + "..\build\icons\app.ico"
#endif

#define AppName      "Fundus Vessel Workstation"
#define AppExe       "FundusWorkstation.exe"
#define CliExe       "fundus-app.exe"
#define ProgIdDicom  "FundusWorkstation.DICOM"
#define ProgIdImage  "FundusWorkstation.Image"

#if !FileExists(AddBackslash(SourceDir) + AppExe)
  #error The bundle is missing: build it first (build_windows.ps1 runs PyInstaller before ISCC)
#endif

[Setup]
; AppId identifies the product across versions (upgrades, uninstall): never change it.
AppId={{1DC80F58-776B-4E35-9159-88F172A986E2}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Fundus Vessel Workstation project
AppComments=Retinal vessel segmentation for research and review support; not a diagnosis.
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
VersionInfoDescription={#AppName} setup
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#OutputDir}
OutputBaseFilename=FundusWorkstation-Setup-{#AppVersion}
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} {#AppVersion}
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
LZMAUseSeparateProcess=yes
ChangesAssociations=yes
ChangesEnvironment=yes
CloseApplications=yes
RestartApplications=no
; Code signing (recommended for clinic PCs: SmartScreen and AppLocker): define a sign tool named
; "signtool" in the Inno Setup IDE or with ISCC /S, then uncomment:
; SignTool=signtool
; SignedUninstaller=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#endif

[CustomMessages]
; unprefixed: every language; a language-prefixed line overrides it (this file is UTF-8 with a BOM)
AssocGroup=File associations:
AssocDicom=Open DICOM files (.dcm, .dicom) with {#AppName}
AssocImages=Offer {#AppName} in "Open with" for PNG, JPEG and TIFF
PathGroup=Command line:
AddToPath=Add the fundus-app command to the system PATH
DicomType=DICOM image
ImageType=Fundus photograph
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
chinesesimplified.AssocGroup=文件关联:
chinesesimplified.AssocDicom=用 {#AppName} 打开 DICOM 文件 (.dcm, .dicom)
chinesesimplified.AssocImages=在“打开方式”中提供 {#AppName}（PNG、JPEG、TIFF）
chinesesimplified.PathGroup=命令行:
chinesesimplified.AddToPath=将 fundus-app 命令加入系统 PATH
chinesesimplified.DicomType=DICOM 图像
chinesesimplified.ImageType=眼底照片
#endif

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"
Name: "assocdicom"; Description: "{cm:AssocDicom}"; GroupDescription: "{cm:AssocGroup}"
Name: "associmages"; Description: "{cm:AssocImages}"; GroupDescription: "{cm:AssocGroup}"
Name: "addtopath"; Description: "{cm:AddToPath}"; GroupDescription: "{cm:PathGroup}"; Flags: unchecked

[InstallDelete]
; PyInstaller bundles are a matched set: never mix two versions' libraries
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; Parameters: "gui"; Comment: "Retinal vessel segmentation (review support, not a diagnosis)"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Parameters: "gui"; Tasks: desktopicon

[Registry]
; ProgIDs: how the workstation opens a file ("gui FILE": the command line's gui command)
Root: HKA; Subkey: "Software\Classes\{#ProgIdDicom}"; ValueType: string; ValueName: ""; ValueData: "{cm:DicomType}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#ProgIdDicom}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKA; Subkey: "Software\Classes\{#ProgIdDicom}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" gui ""%1"""
Root: HKA; Subkey: "Software\Classes\{#ProgIdImage}"; ValueType: string; ValueName: ""; ValueData: "{cm:ImageType}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#ProgIdImage}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKA; Subkey: "Software\Classes\{#ProgIdImage}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" gui ""%1"""
; DICOM: default handler (only if the task is chosen), and always in "Open with"
Root: HKA; Subkey: "Software\Classes\.dcm"; ValueType: string; ValueName: ""; ValueData: "{#ProgIdDicom}"; Flags: uninsdeletevalue; Tasks: assocdicom
Root: HKA; Subkey: "Software\Classes\.dcm"; ValueType: string; ValueName: "Content Type"; ValueData: "application/dicom"; Flags: createvalueifdoesntexist; Tasks: assocdicom
Root: HKA; Subkey: "Software\Classes\.dicom"; ValueType: string; ValueName: ""; ValueData: "{#ProgIdDicom}"; Flags: uninsdeletevalue; Tasks: assocdicom
Root: HKA; Subkey: "Software\Classes\.dcm\OpenWithProgids"; ValueType: string; ValueName: "{#ProgIdDicom}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.dicom\OpenWithProgids"; ValueType: string; ValueName: "{#ProgIdDicom}"; ValueData: ""; Flags: uninsdeletevalue
; PNG, JPEG, TIFF: offered in "Open with", never taken over
Root: HKA; Subkey: "Software\Classes\.png\OpenWithProgids"; ValueType: string; ValueName: "{#ProgIdImage}"; ValueData: ""; Flags: uninsdeletevalue; Tasks: associmages
Root: HKA; Subkey: "Software\Classes\.jpg\OpenWithProgids"; ValueType: string; ValueName: "{#ProgIdImage}"; ValueData: ""; Flags: uninsdeletevalue; Tasks: associmages
Root: HKA; Subkey: "Software\Classes\.jpeg\OpenWithProgids"; ValueType: string; ValueName: "{#ProgIdImage}"; ValueData: ""; Flags: uninsdeletevalue; Tasks: associmages
Root: HKA; Subkey: "Software\Classes\.tif\OpenWithProgids"; ValueType: string; ValueName: "{#ProgIdImage}"; ValueData: ""; Flags: uninsdeletevalue; Tasks: associmages
Root: HKA; Subkey: "Software\Classes\.tiff\OpenWithProgids"; ValueType: string; ValueName: "{#ProgIdImage}"; ValueData: ""; Flags: uninsdeletevalue; Tasks: associmages
; the application's own entry (Open with list, friendly name, the types it handles)
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}"; ValueType: string; ValueName: "FriendlyAppName"; ValueData: "{#AppName}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" gui ""%1"""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".dcm"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".dicom"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".png"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".jpg"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".jpeg"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".tif"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".tiff"; ValueData: ""
; "fundus-app" from the Run dialog (Win+R) without PATH
Root: HKLM; Subkey: "Software\Microsoft\Windows\CurrentVersion\App Paths\{#CliExe}"; ValueType: string; ValueName: ""; ValueData: "{app}\{#CliExe}"; Flags: uninsdeletekey
; system PATH (task): added once, removed by the uninstaller (see [Code])
Root: HKLM; Subkey: "SYSTEM\CurrentControlSet\Control\Session Manager\Environment"; ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; Check: NeedsAddPath(ExpandConstant('{app}')); Tasks: addtopath

[Run]
Filename: "{app}\{#AppExe}"; Parameters: "gui"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent runasoriginaluser

[UninstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

[Code]
const
  EnvironmentKey = 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment';

{ True when Dir is not yet an entry of the system PATH (compared case-insensitively, whole entries) }
function NeedsAddPath(Dir: string): Boolean;
var
  Paths: string;
begin
  if not RegQueryStringValue(HKEY_LOCAL_MACHINE, EnvironmentKey, 'Path', Paths) then
  begin
    Result := True;
    exit;
  end;
  Result := Pos(';' + Uppercase(RemoveBackslashUnlessRoot(Dir)) + ';', ';' + Uppercase(Paths) + ';') = 0;
end;

{ Remove the entry Dir from the system PATH, leaving every other entry as it was }
procedure RemoveFromPath(Dir: string);
var
  Paths: string;
  P: Integer;
begin
  if not RegQueryStringValue(HKEY_LOCAL_MACHINE, EnvironmentKey, 'Path', Paths) then
    exit;
  Dir := RemoveBackslashUnlessRoot(Dir);
  P := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Paths) + ';');
  if P = 0 then
    exit;
  { P indexes ';' + Paths + ';': the entry starts at P in Paths, its leading ';' (if any) at P - 1 }
  if P = 1 then
    Delete(Paths, 1, Length(Dir) + 1)
  else
    Delete(Paths, P - 1, Length(Dir) + 1);
  RegWriteExpandStringValue(HKEY_LOCAL_MACHINE, EnvironmentKey, 'Path', Paths);
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usPostUninstall then
    RemoveFromPath(ExpandConstant('{app}'));
end;
