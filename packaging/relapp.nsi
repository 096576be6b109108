; Relapp's Windows installer (NSIS 3). It installs the PyInstaller bundle built on Windows
; (dist\relapp: relapp.exe, relapp-cli.exe, _internal\) into Program Files, adds a Start-menu
; shortcut and an entry in Settings > Apps, and an uninstaller that keeps the shop's customer
; database unless the user ticks the box to delete it.
;
; Build (packaging/README.md has the whole Windows build):
;   makensis /DVERSION=0.1.0 /DBUNDLE=..\dist\relapp /DICON=..\build\relapp.ico ^
;            /DOUTFILE=..\dist\Relapp-0.1.0-setup.exe packaging\relapp.nsi
; Paths are relative to this file. packaging/build-installer.sh does the same on Linux.
;
; Where Relapp keeps its data on Windows (relapp/db/location.py, platformdirs):
;   database and its safety copies  %APPDATA%\Relapp            (relapp.db, relapp.before-*.db)
;   error log                       %LOCALAPPDATA%\Relapp\Logs
;   window size, last view          HKCU\Software\Relapp\Relapp  (QSettings)

Unicode true
SetCompressor /SOLID lzma

!ifndef VERSION
  !error "Give the version: makensis /DVERSION=0.1.0 ..."
!endif
!ifndef BUNDLE
  !define BUNDLE "..\dist\relapp"
!endif
!ifndef ICON
  !define ICON "..\build\relapp.ico"
!endif
!ifndef OUTFILE
  !define OUTFILE "..\dist\Relapp-${VERSION}-setup.exe"
!endif

!define APP_NAME "Relapp"
!define PUBLISHER "The Relapp team"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Relapp"
!define SETTINGS_KEY "Software\Relapp"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "x64.nsh"

Name "${APP_NAME}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APP_NAME}"
InstallDirRegKey HKLM "${SETTINGS_KEY}" "InstallDir"
RequestExecutionLevel admin
ShowInstDetails nevershow
ShowUninstDetails nevershow
BrandingText "${APP_NAME} ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${APP_NAME}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${APP_NAME} installer"
VIAddVersionKey "CompanyName" "${PUBLISHER}"
VIAddVersionKey "LegalCopyright" "${PUBLISHER}"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\relapp.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Start Relapp now"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!define MUI_COMPONENTSPAGE_TEXT_TOP "Relapp's program files will be removed. Your shop's \
customer database is kept, so that reinstalling Relapp (or copying the file to another PC) \
finds every customer again. Tick the second box only if you want it gone for good."
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "English"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "Relapp needs a 64-bit version of Windows." /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
FunctionEnd

Function un.onInit
  SetRegView 64
FunctionEnd

Section "Relapp" SecProgram
  SectionIn RO
  SetShellVarContext all
  ; An upgrade replaces the bundle's files whole, so no file of an older version lingers.
  RMDir /r "$INSTDIR\_internal"
  SetOutPath "$INSTDIR"
  File "${BUNDLE}\relapp.exe"
  File "${BUNDLE}\relapp-cli.exe"
  File /r "${BUNDLE}\_internal"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\${APP_NAME}.lnk" "$INSTDIR\relapp.exe" "" "$INSTDIR\relapp.exe" 0 \
    SW_SHOWNORMAL "" "Know, reward and keep your shop's customers"

  WriteRegStr HKLM "${SETTINGS_KEY}" "InstallDir" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\relapp.exe,0"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
  SectionGetSize ${SecProgram} $0
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "EstimatedSize" $0
SectionEnd

Section "un.Relapp program files" UnSecProgram
  SectionIn RO
  SetShellVarContext all
  Delete "$SMPROGRAMS\${APP_NAME}.lnk"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\relapp.exe"
  Delete "$INSTDIR\relapp-cli.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
  DeleteRegKey HKLM "${SETTINGS_KEY}"
SectionEnd

; Not ticked unless the user ticks it; a silent uninstall (/S) keeps the data too.
Section /o "un.Also delete my customer database and settings" UnSecData
  SetShellVarContext current
  MessageBox MB_YESNO|MB_ICONEXCLAMATION|MB_DEFBUTTON2 \
    "Delete the customer database in $APPDATA\Relapp, with its safety copies?$\n$\n\
Every customer, sale and loyalty point in it is lost for good. A database you keep \
elsewhere (opened with --db or RELAPP_DB) is not touched." /SD IDNO IDYES delete_data
  DetailPrint "Kept the customer database in $APPDATA\Relapp."
  Goto done
  delete_data:
    RMDir /r "$APPDATA\Relapp"
    RMDir /r "$LOCALAPPDATA\Relapp"
    DeleteRegKey HKCU "Software\Relapp"
  done:
SectionEnd

LangString DESC_UnSecProgram ${LANG_ENGLISH} "Relapp itself and its Start-menu shortcut."
LangString DESC_UnSecData ${LANG_ENGLISH} "Your shop's customers, sales, loyalty points and \
Relapp's settings for this Windows user. Leave unticked to keep them."
!insertmacro MUI_UNFUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${UnSecProgram} $(DESC_UnSecProgram)
  !insertmacro MUI_DESCRIPTION_TEXT ${UnSecData} $(DESC_UnSecData)
!insertmacro MUI_UNFUNCTION_DESCRIPTION_END
