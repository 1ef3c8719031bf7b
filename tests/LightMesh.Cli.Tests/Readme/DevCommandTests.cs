using System.Text.Json;

namespace LightMesh.Cli.Tests.Readme;

/// <summary>
/// <c>lightmesh dev</c> beyond the README's path: a second <c>dev up</c> refuses and changes nothing, the verbs that
/// need an environment say how to start one, and <c>dev down</c> leaves none of its processes running.
/// </summary>
public sealed class DevCommandTests
{
    [Fact]
    public async Task DevUp_Twice_Refuses_AndDevDown_StopsEveryProcess()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory("lightmesh-dev-test-").FullName, "dev");
        try
        {
            var up = await CliProcess.RunAsync("dev", "up", "--dir", dir);
            Assert.True(up.ExitCode == 0, up.ToString());
            Assert.Contains("Stop them:", up.Stdout, StringComparison.Ordinal);
            var state = await File.ReadAllTextAsync(Path.Combine(dir, "dev.json"));
            var pids = JsonDocument.Parse(state).RootElement.GetProperty("processes").EnumerateArray().Select(p => p.GetProperty("pid").GetInt32()).ToList();
            Assert.Equal(3, pids.Count);
            Assert.All(pids, pid => Assert.True(Running(pid), $"pid {pid} is not running after dev up"));

            var again = await CliProcess.RunAsync("dev", "up", "--dir", dir);
            Assert.True(again.ExitCode == 3, again.ToString());
            Assert.Contains("is up in", again.Stderr, StringComparison.Ordinal);
            Assert.Contains("dev down", again.Stderr, StringComparison.Ordinal);
            Assert.Equal(state, await File.ReadAllTextAsync(Path.Combine(dir, "dev.json")));

            var env = await CliProcess.RunAsync("dev", "env", "--dir", dir);
            Assert.True(env.ExitCode == 0, env.ToString());
            Assert.Contains("export LIGHTMESH_SERVER='http://127.0.0.1:", env.Stdout, StringComparison.Ordinal);

            var down = await CliProcess.RunAsync("dev", "down", "--dir", dir);
            Assert.True(down.ExitCode == 0, down.ToString());
            Assert.All(pids, pid => Assert.False(Running(pid), $"pid {pid} still runs after dev down"));
            Assert.False(Directory.Exists(dir));
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                await CliProcess.RunAsync("dev", "down", "--dir", dir);
            }

            Directory.Delete(Path.GetDirectoryName(dir)!, recursive: true);
        }
    }

    [Theory]
    [InlineData("env")]
    [InlineData("traffic", "hello")]
    [InlineData("run", "hello", "v1")]
    public async Task VerbsThatNeedAnEnvironment_SayHowToStartOne(params string[] verb)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"lightmesh-dev-none-{Guid.NewGuid():N}");
        var result = await CliProcess.RunAsync(["dev", .. verb, "--dir", dir]);
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"no dev environment is up in {dir}: start one with ./lightmesh dev up", result.Stderr, StringComparison.Ordinal);
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task DevRun_BadArguments_AreNamed_AndNothingStarts()
    {
        var result = await CliProcess.RunAsync("dev", "run", "Hello_World", "", "--error-rate", "1.5");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--error-rate: 1.5 must be a fraction from 0 to 1", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("SERVICE: \"Hello_World\" must be a DNS-1123 label", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("VERSION: must not be empty", result.Stderr, StringComparison.Ordinal);
    }

    /// <summary>Alive and not a zombie (the environment's processes are not this test's children, so nothing here reaps them).</summary>
    private static bool Running(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return false;
        }

        var text = File.ReadAllText(stat);
        return text[(text.LastIndexOf(')') + 2)] is not ('Z' or 'X');
    }
}
