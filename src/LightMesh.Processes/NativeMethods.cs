using System.Runtime.InteropServices;

namespace LightMesh.Processes;

/// <summary>The one libc call .NET does not offer: sending a process a signal of our choosing, child or not.</summary>
internal static class NativeMethods
{
    public const int SigKill = 9;
    public const int SigTerm = 15;
    public const int SigCont = 18;
    public const int SigStop = 19;

    // "libc" is mapped by the runtime to the platform's C library (libc.so.6 on glibc).
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Kill(int pid, int signal);
}
