using LightMesh.Core;

namespace LightMesh.Demo;

/// <summary>Reads what <c>ldd</c> prints for one binary: the libraries an image must carry for it to start.</summary>
public static class LddOutput
{
    private const string Arrow = "=>";
    private const string NotFound = "not found";

    /// <summary>
    /// The libraries in <paramref name="output"/> (<c>libx.so.1 => /path (0x…)</c>, and the interpreter as
    /// <c>/lib64/ld-linux-x86-64.so.2 (0x…)</c>); the kernel's vDSO and lines that name no file are skipped. A library
    /// the machine lacks (<c>=> not found</c>) would make the binary fail in the image too, so every one is reported at once.
    /// </summary>
    public static IReadOnlyList<LinkedLibrary> Parse(string subject, string output)
    {
        var libraries = new List<LinkedLibrary>();
        var missing = new List<string>();
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.Trim();
            var arrow = line.IndexOf(Arrow, StringComparison.Ordinal);
            if (arrow >= 0)
            {
                var target = WithoutAddress(line[(arrow + Arrow.Length)..]);
                if (target == NotFound)
                {
                    missing.Add(line[..arrow].Trim());
                }
                else if (target.StartsWith('/'))
                {
                    libraries.Add(new LinkedLibrary(target, IsInterpreter: false));
                }
            }
            else if (line.StartsWith('/') && line.EndsWith(')'))
            {
                libraries.Add(new LinkedLibrary(WithoutAddress(line), IsInterpreter: true));
            }
        }

        return missing.Count == 0
            ? libraries
            : throw new LightMeshException(
                $"{subject} needs {string.Join(", ", missing)}, which this machine does not have (ldd: not found); install the package that provides it");
    }

    /// <summary>"/lib/x.so (0x00007f…)" without its load address.</summary>
    private static string WithoutAddress(string text)
    {
        var trimmed = text.Trim();
        var address = trimmed.LastIndexOf(" (0x", StringComparison.Ordinal);
        return address >= 0 ? trimmed[..address].Trim() : trimmed;
    }
}
