using LightMesh.Processes;
using static LightMesh.Cli.Tests.CliProcess;

namespace LightMesh.Cli.Tests;

[Collection(ReleaseBuildCollectionDefinition.Name)]
public sealed class OfflineVerbTests
{
    [Fact]
    public async Task Validate_Examples_ExitsZero()
    {
        var result = await RunAsync("validate", "-f", Example("mesh.yaml"), "-f", Example("checkout.yaml"), "-f", Example("payments.yaml"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("7 documents valid", result.Stdout.Trim());
    }

    [Fact]
    public async Task Validate_InvalidDocuments_ExitsTwoPrintingEveryErrorWithItsPath()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory().FullName, "bad.yaml");
        await File.WriteAllTextAsync(file, """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: checkout}
            spec:
              hosts: [checkout]
              tcp: []
              http:
              - route:
                - destination: {host: checkout, subset: v1}
                  weight: 100
                - destination: {host: checkout, subset: v2}
                  weight: -1
            """);

        var result = await RunAsync("validate", "-f", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{file}: VirtualService/checkout: spec.tcp: unknown or unsupported field", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"{file}: VirtualService/checkout: spec.http[0].route[1].weight: must be >= 0", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("2 errors", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("relase list", "error: Unknown command 'relase'. Did you mean release? (lightmesh --help lists every verb)")]
    [InlineData("release lst", "error: Unknown command 'lst'. Did you mean list? (lightmesh release --help lists every verb)")]
    [InlineData("weights checkout v1=75 v2=25 --rout primary", "error: Unknown option 'rout'. Did you mean --route? (lightmesh weights --help lists every option)")]
    [InlineData("validate --strict", "error: Unknown option 'strict'. (lightmesh validate --help lists every option)")]
    [InlineData("release list --wide", "error: Unknown option 'wide'. (lightmesh release list --help lists every option)")]
    [InlineData("get vs --bogus", "error: Unknown option 'bogus'. (lightmesh get --help lists every option)")]
    public async Task AWordNoVerbTakes_ExitsTwoNamingIt_WithTheNearestKnownOne(string line, string error)
    {
        var result = await RunAsync(line.Split(' '));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(error, result.Stderr.Trim());
        Assert.Equal("", result.Stdout);
    }

    [Theory]
    [InlineData("schedle", "KIND: \"schedle\" is not a kind; did you mean schedule? (kinds: service (svc), node, ")]
    [InlineData("windw", "KIND: \"windw\" is not a kind; did you mean window? (kinds: ")]
    [InlineData("chekout", "KIND: \"chekout\" is not a kind (kinds: ")]
    public async Task Get_AKindItDoesNotKnow_ExitsTwoListingTheKinds(string kind, string error)
    {
        var result = await RunAsync("get", kind);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(error, result.Stderr, StringComparison.Ordinal);
        Assert.Contains("deliverywindow (window, dw) or releasegroupworkflow (groupworkflow, rgw))", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_PrintsThisBuildsVersion()
    {
        var result = await RunAsync("--version");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"^\d+\.\d+\.\d+", result.Stdout.Trim());
    }

    [Fact]
    public async Task Validate_StandardInput_IsRead()
    {
        var result = await RunAsync(StartInfo("validate", "-f", "-"), await File.ReadAllTextAsync(Example("mesh.yaml")));

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task Validate_MissingFile_ExitsTwoNamingIt()
    {
        var result = await RunAsync("validate", "-f", "/nonexistent/rules.yaml");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("/nonexistent/rules.yaml: cannot be read", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("get", "bogus")]
    [InlineData("get", "vs", "-o", "xml")]
    [InlineData("frobnicate")]
    [InlineData("apply")]
    [InlineData("weights", "checkout", "v1:90")]
    [InlineData("register", "--service", "checkout", "--version", "v1", "--address", "nowhere")]
    public async Task Verb_BadUsage_ExitsTwo(params string[] args)
    {
        var result = await RunAsync(args);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.NotEmpty(result.Stderr);
    }

    [Fact]
    public async Task Get_EtcdNotListening_ExitsFive()
    {
        var result = await RunAsync("get", "vs", "--etcd", $"http://127.0.0.1:{LoopbackPort.Free()}");

        Assert.Equal(5, result.ExitCode);
        Assert.Contains("could not be reached", result.Stderr, StringComparison.Ordinal);
        Assert.EndsWith("; is etcd running there? Start one for trying with ./lightmesh dev up, then eval \"$(./lightmesh dev env)\" (the README's Quick start), or point --etcd or $LIGHTMESH_ETCD at yours", result.Stderr.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReleaseVerb_ControllerNotListening_ExitsFiveSayingWhatToStart()
    {
        var result = await RunAsync("release", "list", "--server", $"http://127.0.0.1:{LoopbackPort.Free()}", "--token", "t");

        Assert.Equal(5, result.ExitCode);
        Assert.EndsWith("; start one (./lightmesh dev up for trying, else lightmesh server) or point --server or $LIGHTMESH_SERVER at a running one", result.Stderr.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Script_FromTheRepositoryRoot_BuildsAndRunsTheCli()
    {
        var info = new System.Diagnostics.ProcessStartInfo(Path.Combine(RepositoryRoot, "lightmesh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot,
        };
        foreach (var arg in new[] { "validate", "-f", "examples/checkout.yaml", "-f", "examples/mesh.yaml" })
        {
            info.ArgumentList.Add(arg);
        }

        // A cold Release build of the CLI on two cores the rest of the suite is using takes minutes, not seconds.
        var result = await RunAsync(info, timeout: TimeSpan.FromMinutes(6));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("5 documents valid", result.Stdout.Trim());

        // A build (when src/ changed) says so on standard error, so the first call is not a silent minute.
        Assert.True(result.Stderr.Length == 0 || result.Stderr.StartsWith("lightmesh: building the CLI from this checkout", StringComparison.Ordinal), result.Stderr);
    }
}
