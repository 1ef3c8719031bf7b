using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LightMesh.Processes;
using LightMesh.Core.Mesh;
using LightMesh.Etcd.Registry;
using LightMesh.Testing;
using static LightMesh.Cli.Tests.CliProcess;

namespace LightMesh.Cli.Tests;

/// <summary>Running the verbs against the class's controller, and the service each test releases.</summary>
public sealed partial class ReleaseVerbTests
{
    private Task<Result> Release(params string[] args) => RunAsync(["release", .. args, "--server", controller.Url, "--token", controller.Token]);

    private Task<Result> Store(params string[] args) => RunAsync([.. args, "--etcd", etcd.Endpoint, "--prefix", controller.Prefix]);

    /// <summary>
    /// Applies a Service without a deploy section and a workflow <c>SERVICE-hold</c> (deploy, 20%, an untimed pause, 50%,
    /// promote), and registers a live instance of v1 (so v1 is stable) and of v2 (so the deploy step finds the canary).
    /// </summary>
    private async Task ServiceAsync(string service)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory().FullName, $"{service}.yaml");
        await File.WriteAllTextAsync(file, TestMeshes.Join(
            TestMeshes.Service(service),
            TestMeshes.Workflow($"{service}-hold", """
                  - deploy: {replicas: 1}
                  - setWeight: 20
                  - pause: {}
                  - setWeight: 50
                  - promote: {}
                """)));
        var applied = await Store("apply", "-f", file);
        Assert.True(applied.ExitCode == 0, applied.ToString());

        _etcd ??= etcd.Connect(controller.Prefix);
        var registry = new InstanceRegistry(_etcd, TimeProvider.System, EtcdFixture.Logger<InstanceRegistry>());
        foreach (var (version, port) in new[] { ("v1", LoopbackPort.Free()), ("v2", LoopbackPort.Free()) })
        {
            var instance = new Instance { Service = service, Id = $"{service}-{version}", Version = version, Address = "127.0.0.1", Port = port };
            var outcome = await registry.RegisterAsync(instance, TimeSpan.FromSeconds(10), default);
            Assert.True(outcome.Registration is not null, outcome.Conflict);
            _instances.Add(outcome.Registration);
        }
    }

    /// <summary>
    /// Applies an AnalysisTemplate <c>SERVICE-errors</c> that declares <c>max-error-rate</c> and a workflow
    /// <c>SERVICE-checked</c> that runs it after an untimed pause: a release of it can be given that argument.
    /// </summary>
    private async Task CheckedWorkflowAsync(string service)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory().FullName, $"{service}-checked.yaml");
        await File.WriteAllTextAsync(file, TestMeshes.Join(
            TestMeshes.ErrorsTemplate($"{service}-errors"),
            TestMeshes.Workflow($"{service}-checked", $$"""
                  - deploy: {replicas: 1}
                  - setWeight: 20
                  - pause: {}
                  - analysis: {templates: [{{service}}-errors]}
                  - promote: {}
                """)));
        var applied = await Store("apply", "-f", file);
        Assert.True(applied.ExitCode == 0, applied.ToString());
    }

    private static string IdOf(Result started)
    {
        var match = Regex.Match(started.Stdout, @"^release (\S+) started", RegexOptions.Multiline);
        Assert.True(started.ExitCode == 0 && match.Success, started.ToString());
        return match.Groups[1].Value;
    }

    private async Task<JsonNode> StatusAsync(string id)
    {
        var result = await Release("status", id, "-o", "json");
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonNode.Parse(result.Stdout)!;
    }

    /// <summary>Polls <c>status</c> until the release is in <paramref name="phase"/>; fails at once if it ends in another.</summary>
    private async Task<JsonNode> WaitForPhaseAsync(string id, string phase)
    {
        Result result;
        try
        {
            result = await Poll.UntilAsync(
                () => Release("status", id, "-o", "json"),
                r => r.ExitCode == 0 && PhaseOf(r) is var now && (now == phase || now is "Succeeded" or "RolledBack" or "Aborted" or "Failed"),
                PhaseTimeout,
                $"release {id} to be {phase}");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n--- controller output\n{controller.Output}", e);
        }

        Assert.True(PhaseOf(result) == phase, $"release {id} ended {PhaseOf(result)}, not {phase}:\n{result}\n--- controller output\n{controller.Output}");
        return JsonNode.Parse(result.Stdout)!;

        static string PhaseOf(Result r) => JsonNode.Parse(r.Stdout)!["phase"]!.GetValue<string>();
    }
}
