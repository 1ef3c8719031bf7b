using System.Text.Json.Nodes;
using LightMesh.Testing;
using static LightMesh.Cli.Tests.CliProcess;

namespace LightMesh.Cli.Tests;

[Collection(EtcdCollectionDefinition.Name)]
public sealed class StoreVerbTests(EtcdFixture etcd)
{
    private readonly string _prefix = etcd.NewPrefix();

    private Task<Result> Lightmesh(params string[] args) => RunAsync([.. args, "--etcd", etcd.Endpoint, "--prefix", _prefix]);

    private async Task ApplyExamplesAsync()
    {
        var result = await Lightmesh("apply", "-f", Example("mesh.yaml"), "-f", Example("checkout.yaml"), "-f", Example("payments.yaml"));
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task Apply_Examples_PrintsWhatWasCreated()
    {
        var result = await Lightmesh("apply", "-f", Example("mesh.yaml"), "-f", Example("checkout.yaml"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("VirtualService/checkout created", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("checkout   checkout   testers (match): v2=100; primary: v1=90 v2=10", (await Lightmesh("get", "vs")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_FileWithOneInvalidDocument_ExitsTwoAndWritesNothing()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory().FullName, "mixed.yaml");
        await File.WriteAllTextAsync(file, await File.ReadAllTextAsync(Example("mesh.yaml")) + """

            ---
            apiVersion: lightmesh.io/v1
            kind: Service
            metadata: {name: broken}
            spec: {protocol: udp, port: 53}
            """);

        var result = await Lightmesh("apply", "-f", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Service/broken: spec.protocol: \"udp\" is not supported", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("[]", (await Lightmesh("get", "services", "-o", "json")).Stdout.Replace("\n", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("apply --dryrun", "error: Unknown option 'dryrun'. Did you mean --dry-run? (lightmesh apply --help lists every option)")]
    [InlineData("apply --filname", "error: Unknown option 'filname'. Did you mean --filename? (lightmesh apply --help lists every option)")]
    public async Task Apply_WithAnOptionItDoesNotTake_ExitsTwoNamingIt_AndWritesNothing(string verb, string error)
    {
        var words = verb.Split(' ');
        var result = await Lightmesh([words[0], "-f", Example("mesh.yaml"), .. words[1..]]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(error, result.Stderr.Trim());
        Assert.Equal("[]", (await Lightmesh("get", "services", "-o", "json")).Stdout.Replace("\n", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Apply_ADirectory_ReadsItsDocumentFiles_AndOneWithNoneIsAnErrorNamingIt()
    {
        var directory = Directory.CreateTempSubdirectory().FullName;
        File.Copy(Example("mesh.yaml"), Path.Combine(directory, "1-mesh.yaml"));
        File.Copy(Example("checkout.yaml"), Path.Combine(directory, "2-checkout.yml"));
        await File.WriteAllTextAsync(Path.Combine(directory, "notes.txt"), "not a document");
        var empty = Directory.CreateTempSubdirectory().FullName;

        var applied = await Lightmesh("apply", "-f", directory);
        var none = await Lightmesh("apply", "-f", empty);

        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.Contains("VirtualService/checkout created", applied.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, none.ExitCode);
        Assert.StartsWith($"{empty}: a directory with no .yaml, .yml, .json files in it", none.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetYaml_AppliedBack_IsAcceptedUnchanged()
    {
        await ApplyExamplesAsync();
        var file = Path.Combine(Directory.CreateTempSubdirectory().FullName, "all.yaml");
        var yaml = string.Concat(await Task.WhenAll(new[] { "svc", "node", "dr", "vs" }.Select(async kind => (await Lightmesh("get", kind, "-o", "yaml")).Stdout)));
        await File.WriteAllTextAsync(file, yaml);

        var result = await Lightmesh("apply", "-f", file);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(7, result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.EndsWith(" unchanged", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task GetJson_OneDocument_IsTheDocument()
    {
        await ApplyExamplesAsync();

        var result = await Lightmesh("get", "dr", "payments", "-o", "json");

        Assert.Equal("payments", JsonNode.Parse(result.Stdout)!["spec"]!["host"]!.GetValue<string>());
    }

    [Fact]
    public async Task Get_Missing_ExitsFour()
    {
        var result = await Lightmesh("get", "vs", "nope");

        Assert.Equal(4, result.ExitCode);
        Assert.Equal("VirtualService/nope not found; lightmesh get vs lists what is stored", result.Stderr.Trim());
    }

    [Fact]
    public async Task Delete_RuleStillInUse_ExitsThreeAndKeepsIt()
    {
        await ApplyExamplesAsync();

        var result = await Lightmesh("delete", "dr", "checkout");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("cannot delete DestinationRule/checkout", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await Lightmesh("get", "dr", "checkout")).ExitCode);
    }

    [Fact]
    public async Task Delete_UnusedDocument_ExitsZero()
    {
        await ApplyExamplesAsync();

        Assert.Equal(0, (await Lightmesh("delete", "vs", "payments")).ExitCode);
        Assert.Equal(4, (await Lightmesh("delete", "vs", "payments")).ExitCode);
    }

    [Fact]
    public async Task Weights_ValidChange_IsWrittenAndShown()
    {
        await ApplyExamplesAsync();

        var result = await Lightmesh("weights", "checkout", "v1=25", "v2=75");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.EndsWith("checkout (the default route): v1=25 v2=75", result.Stdout.Trim(), StringComparison.Ordinal);
        Assert.Contains("primary: v1=25 v2=75", (await Lightmesh("get", "vs", "checkout")).Stdout, StringComparison.Ordinal);
        Assert.Equal(2, (await Lightmesh("weights", "checkout", "v1=25", "v9=75")).ExitCode);
    }

    [Fact]
    public async Task Register_UntilSigterm_IsListedThenDeregistered()
    {
        await ApplyExamplesAsync();
        await using var registrar = CliProcess.Start("register", "--service", "checkout", "--version", "v2", "--address", "127.0.0.1:18082",
            "--label", "zone=a", "--ttl", "30s", "--etcd", etcd.Endpoint, "--prefix", _prefix);

        var listed = await Poll.UntilAsync(() => Lightmesh("instances", "checkout"), r => r.Stdout.Contains("127.0.0.1:18082", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the instance to be listed");
        Assert.Matches(@"127\.0\.0\.1-18082\s+v2\s+127\.0\.0\.1:18082\s+\S*\s*\d+s\s+version=v2,zone=a", listed.Stdout);

        Assert.Equal(0, await registrar.TerminateAsync(TimeSpan.FromSeconds(20), CancellationToken.None));
        Assert.DoesNotContain("18082", (await Lightmesh("instances", "checkout")).Stdout, StringComparison.Ordinal);
    }
}
