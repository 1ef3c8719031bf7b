using System.Text.Json;
using LightMesh.Core;
using LightMesh.Processes;

namespace LightMesh.Demo.Dev;

/// <summary>
/// What <c>lightmesh dev up</c> started and where, kept in <c>dev.json</c> in the dev directory: the addresses the
/// other <c>dev</c> verbs and <c>dev env</c> give out, and every process <c>dev down</c> stops.
/// </summary>
public sealed record DevState
{
    public const string FileName = "dev.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>etcd's client URL, as <c>--etcd</c> takes it (no trailing slash).</summary>
    public required string Etcd { get; init; }

    /// <summary>The controller's HTTP API, as <c>--server</c> takes it (no trailing slash).</summary>
    public required string Controller { get; init; }

    /// <summary>The controller's xDS endpoint, <c>127.0.0.1:PORT</c>.</summary>
    public required string Xds { get; init; }

    public required string Prometheus { get; init; }

    /// <summary>The file holding the controller's admin token (0600).</summary>
    public required string TokenFile { get; init; }

    /// <summary>Every process started, in the order started; <c>dev down</c> stops them in reverse.</summary>
    public IReadOnlyList<DetachedProcessRecord> Processes { get; init; } = [];

    public static string PathIn(string directory) => Path.Combine(directory, FileName);

    /// <summary>The state in <paramref name="directory"/>, or null when nothing was started there.</summary>
    public static DevState? Read(string directory)
    {
        var path = PathIn(directory);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<DevState>(File.ReadAllText(path), Json)
                ?? throw new LightMeshException($"{path} is empty; remove {directory} (after stopping what it started) and run dev up again");
        }
        catch (JsonException e)
        {
            throw new LightMeshException($"{path} cannot be read ({e.Message}); remove {directory} (after stopping what it started) and run dev up again", e);
        }
    }

    /// <summary>The state in <paramref name="directory"/>; a failure that says to run <c>dev up</c> when there is none.</summary>
    public static DevState Require(string directory) =>
        Read(directory) ?? throw new LightMeshException(
            $"no dev environment is up in {directory}: start one with ./lightmesh dev up (or name its directory with --dir)");

    /// <summary>Writes the state whole (a new file renamed over the old), so a reader never sees half of it.</summary>
    public void Write(string directory)
    {
        var path = PathIn(directory);
        var staged = path + ".new";
        File.WriteAllText(staged, JsonSerializer.Serialize(this, Json));
        File.Move(staged, path, overwrite: true);
    }

    /// <summary>The error to give when a process named <paramref name="name"/> is running already; null when none is.</summary>
    public string? RunsAlready(string name) =>
        Processes.FirstOrDefault(p => p.Name == name && DetachedProcess.IsRunning(p)) is { } running
            ? $"{name} runs already (pid {running.Pid}, log {running.Log}); dev down stops everything"
            : null;

    public DevState With(DetachedProcessRecord process) => this with { Processes = [.. Processes, process] };
}
