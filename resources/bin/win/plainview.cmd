@echo off
rem The `plainview` command of an installed Plainview. The installer (resources/installer.nsh)
rem puts this folder on the machine's PATH. It runs the command in Plainview.exe without a
rem window: a batch file waits for the program and hands back its exit code, which a prompt
rem does not do for a windowed program, and the app writes to this console (or to the
rem redirected output). DEPLOYMENT.md, "The plainview command".
"%~dp0..\Plainview.exe" --cli %*
exit /b %ERRORLEVEL%
