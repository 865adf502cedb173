; The NSIS installer's additions (electron-builder.yml: nsis.include): the `plainview`
; command on the machine's PATH. The app ships it as bin\plainview.cmd (extraFiles); the
; installer adds "<install folder>\bin" to the machine PATH and the uninstaller removes it.
; DEPLOYMENT.md, "The plainview command".
;
; NSIS handles strings of at most NSIS_MAX_STRLEN characters. A machine PATH that cannot be
; read whole, or would not fit with the new entry, is left as it is (the install log says
; so) rather than written back cut short: a truncated PATH breaks the whole machine.

!include LogicLib.nsh
!include WinMessages.nsh
!include WordFunc.nsh

!define PLAINVIEW_ENV_KEY "SYSTEM\CurrentControlSet\Control\Session Manager\Environment"

; Reads the machine PATH into $R0; $R1 is "ok" when it can be changed safely.
!macro plainviewReadPath
  StrCpy $R1 ""
  ClearErrors
  ReadRegStr $R0 HKLM "${PLAINVIEW_ENV_KEY}" "Path"
  ${IfNot} ${Errors}
  ${AndIf} $R0 != ""
    StrLen $R2 $R0
    StrLen $R3 "$INSTDIR\bin"
    IntOp $R2 $R2 + $R3
    IntOp $R2 $R2 + 2
    ${If} $R2 < ${NSIS_MAX_STRLEN}
      StrCpy $R1 "ok"
    ${EndIf}
  ${EndIf}
!macroend

; Writes $R2 as the machine PATH if it differs from $R0, and tells running programs.
!macro plainviewWritePath
  ${If} $R2 != $R0
    WriteRegExpandStr HKLM "${PLAINVIEW_ENV_KEY}" "Path" $R2
    SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
  ${EndIf}
!macroend

!macro customInstall
  Push $R0
  Push $R1
  Push $R2
  Push $R3
  !insertmacro plainviewReadPath
  ${If} $R1 == "ok"
    ${WordAdd} $R0 ";" "+$INSTDIR\bin" $R2
    !insertmacro plainviewWritePath
  ${Else}
    DetailPrint "The machine PATH was not changed: add $INSTDIR\bin to it for the plainview command."
  ${EndIf}
  Pop $R3
  Pop $R2
  Pop $R1
  Pop $R0
!macroend

!macro customUnInstall
  ; An update runs the old version's uninstaller first; the new installer keeps the entry.
  ${IfNot} ${isUpdated}
    Push $R0
    Push $R1
    Push $R2
    Push $R3
    !insertmacro plainviewReadPath
    ${If} $R1 == "ok"
      ${un.WordAdd} $R0 ";" "-$INSTDIR\bin" $R2
      !insertmacro plainviewWritePath
    ${EndIf}
    Pop $R3
    Pop $R2
    Pop $R1
    Pop $R0
  ${EndIf}
!macroend
