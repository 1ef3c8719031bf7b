using LightMesh.Processes;

namespace LightMesh.Testing;

/// <summary>Finds the real programs tests need; a missing one fails the test with how to install it.</summary>
public static class Executables
{
    public static string Require(string name, string debianPackage) =>
        ExecutableSearch.Find(name) ?? throw new InvalidOperationException(
            $"'{name}' is not installed; the tests need the real thing. Run ./test.sh (it installs it) or: apt-get install -y {debianPackage}");
}
