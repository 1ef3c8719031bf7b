using LightMesh.Demo;
using LightMesh.Core;

namespace LightMesh.Cli.Tests.Demo;

public sealed class LddOutputTests
{
    private const string Dotnet = """
        	linux-vdso.so.1 (0x00007ffd3b9f2000)
        	libdl.so.2 => /lib/x86_64-linux-gnu/libdl.so.2 (0x00007f361aa4a000)
        	libstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f361a800000)
        	libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f361a53e000)
        	/lib64/ld-linux-x86-64.so.2 (0x00007f361aa77000)
        """;

    [Fact]
    public void Parse_GlibcOutput_GivesEachLibraryAndTheInterpreterButNotTheVdso()
    {
        var libraries = LddOutput.Parse("/usr/share/dotnet/dotnet", Dotnet);

        Assert.Equal(
            [
                new LinkedLibrary("/lib/x86_64-linux-gnu/libdl.so.2", false),
                new LinkedLibrary("/lib/x86_64-linux-gnu/libstdc++.so.6", false),
                new LinkedLibrary("/lib/x86_64-linux-gnu/libc.so.6", false),
                new LinkedLibrary("/lib64/ld-linux-x86-64.so.2", true),
            ],
            libraries);
    }

    [Fact]
    public void Parse_StaticallyLinkedOrEmptyTarget_GivesNothing()
    {
        Assert.Empty(LddOutput.Parse("/bin/busybox", "\tstatically linked\n"));
        Assert.Empty(LddOutput.Parse("/usr/lib/old.so", "\tlinux-gate.so.1 =>  (0xb7f1c000)\n"));
    }

    [Fact]
    public void Parse_LibrariesNotFound_FailsNamingTheBinaryAndEveryMissingLibrary()
    {
        const string output = """
            	linux-vdso.so.1 (0x00007f2acce0b000)
            	liblttng-ust.so.0 => not found
            	libstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f2acca00000)
            	libicuuc.so.72 => not found
            	/lib64/ld-linux-x86-64.so.2 (0x00007f2acce0d000)
            """;

        var e = Assert.Throws<LightMeshException>(() => LddOutput.Parse("/opt/dotnet/libtrace.so", output));

        Assert.Equal(
            "/opt/dotnet/libtrace.so needs liblttng-ust.so.0, libicuuc.so.72, which this machine does not have (ldd: not found); install the package that provides it",
            e.Message);
    }
}
