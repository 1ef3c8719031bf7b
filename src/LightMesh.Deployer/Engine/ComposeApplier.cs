using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using LightMesh.Core.Deployment;

namespace LightMesh.Deployer.Engine;

/// <summary>
/// Converges one Docker Engine to a node's plan: creates what is missing, recreates only containers whose
/// configuration hash changed, removes the project's containers that left the plan, and leaves the rest running.
/// Images are made present first, so a failed pull changes nothing on the node.
/// </summary>
public sealed class ComposeApplier(IDockerClient docker, TimeProvider time, ApplierOptions options)
{
    /// <summary>What <see cref="ApplyAsync"/> would do, without doing it.</summary>
    public async Task<IReadOnlyList<ContainerAction>> DiffAsync(NodePlan plan, CancellationToken cancellationToken)
    {
        var existing = await ListProjectAsync(plan.Project, cancellationToken);
        var actions = new List<ContainerAction>();
        foreach (var container in plan.Containers)
        {
            var current = existing.FirstOrDefault(c => Label(c, ComposeLabels.Service) == container.ComposeService);
            actions.Add(current switch
            {
                null => new ContainerAction(ActionKind.Create, container.ComposeService, null, "not running"),
                _ when Label(current, ComposeLabels.ConfigHash) != container.ConfigHash =>
                    new ContainerAction(ActionKind.Recreate, container.ComposeService, current.ID, "configuration changed"),
                _ when current.State != "running" => new ContainerAction(ActionKind.Start, container.ComposeService, current.ID, $"was {current.State}"),
                _ => new ContainerAction(ActionKind.Keep, container.ComposeService, current.ID, "up to date"),
            });
        }

        foreach (var stale in existing.Where(c => !plan.Containers.Any(p => Label(c, ComposeLabels.Service) == p.ComposeService)))
        {
            actions.Add(new ContainerAction(ActionKind.Remove, Label(stale, ComposeLabels.Service) ?? stale.ID, stale.ID, "no longer planned"));
        }

        return actions;
    }

    /// <summary>Converges the engine to <paramref name="plan"/>, reporting each step to <paramref name="progress"/>.</summary>
    public async Task<ApplyOutcome> ApplyAsync(NodePlan plan, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var actions = await DiffAsync(plan, cancellationToken);
        var byService = plan.Containers.ToDictionary(c => c.ComposeService, StringComparer.Ordinal);
        var needed = actions.Where(a => a.Kind is ActionKind.Create or ActionKind.Recreate).Select(a => byService[a.ComposeService].Image).Distinct(StringComparer.Ordinal);
        foreach (var image in needed)
        {
            if (await EnsureImageAsync(image, progress, cancellationToken) is { } pullError)
            {
                return new ApplyOutcome(false, [], pullError);
            }
        }

        // Host networking: a container leaving the plan may hold the port its successor takes, so it goes first.
        var started = new List<(PlannedContainer Planned, string Id)>();
        foreach (var action in actions.OrderBy(a => a.Kind == ActionKind.Remove ? 0 : 1))
        {
            progress?.Report(action.ToString());
            switch (action.Kind)
            {
                case ActionKind.Remove:
                    await StopAndRemoveAsync(action.ContainerId!, options.DefaultStopGracePeriod, cancellationToken);
                    break;
                case ActionKind.Recreate:
                    await StopAndRemoveAsync(action.ContainerId!, byService[action.ComposeService].StopGracePeriod, cancellationToken);
                    started.Add((byService[action.ComposeService], await CreateAndStartAsync(plan.Project, byService[action.ComposeService], cancellationToken)));
                    break;
                case ActionKind.Create:
                    started.Add((byService[action.ComposeService], await CreateAndStartAsync(plan.Project, byService[action.ComposeService], cancellationToken)));
                    break;
                case ActionKind.Start:
                    await docker.Containers.StartContainerAsync(action.ContainerId!, new ContainerStartParameters(), cancellationToken);
                    started.Add((byService[action.ComposeService], action.ContainerId!));
                    break;
            }
        }

        foreach (var (planned, id) in started)
        {
            if (await WaitUntilUpAsync(planned, id, cancellationToken) is { } failure)
            {
                return new ApplyOutcome(false, actions, failure);
            }
        }

        return new ApplyOutcome(true, actions, null);
    }

    private static string? Label(ContainerListResponse container, string key) =>
        container.Labels is not null && container.Labels.TryGetValue(key, out var value) ? value : null;

    private async Task<IList<ContainerListResponse>> ListProjectAsync(string project, CancellationToken cancellationToken) =>
        await docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"{ComposeLabels.Project}={project}"] = true, [$"{ComposeLabels.OneOff}=False"] = true },
            },
        }, cancellationToken);

    /// <summary>Makes the image present, pulling it if needed; returns why it could not, or null.</summary>
    private async Task<string?> EnsureImageAsync(string image, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        try
        {
            await docker.Images.InspectImageAsync(image, cancellationToken);
            return null;
        }
        catch (DockerImageNotFoundException)
        {
            // pull it below
        }

        if (ImageReference.TryParse(image, out var problem) is not { } reference)
        {
            return $"image {problem}; nothing on the node was changed";
        }

        progress?.Report($"pull {image}");
        try
        {
            using var timeout = new CancellationTokenSource(options.PullTimeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
            string? error = null;
            await docker.Images.CreateImageAsync(
                new ImagesCreateParameters { FromImage = reference.Repository, Tag = reference.PullTag },
                null,
                new Progress<JSONMessage>(m =>
                {
                    error ??= string.IsNullOrEmpty(m.ErrorMessage) ? null : m.ErrorMessage;
                    if (!string.IsNullOrEmpty(m.Status))
                    {
                        progress?.Report($"pull {image}: {m.Status} {m.ProgressMessage}".TrimEnd());
                    }
                }),
                linked.Token);
            await docker.Images.InspectImageAsync(image, cancellationToken);
            return error is null ? null : $"image {image} could not be pulled: {error}; nothing on the node was changed";
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return $"image {image} is not on the node and could not be pulled: {Reason(e)}; nothing on the node was changed";
        }
    }

    private static string Reason(Exception e) => e is DockerApiException api ? api.ResponseBody.Trim() : e.Message;

    private async Task<string> CreateAndStartAsync(string project, PlannedContainer planned, CancellationToken cancellationToken)
    {
        var labels = new Dictionary<string, string>(planned.Labels)
        {
            [ComposeLabels.Project] = project,
            [ComposeLabels.Service] = planned.ComposeService,
            [ComposeLabels.ContainerNumber] = "1",
            [ComposeLabels.ConfigHash] = planned.ConfigHash,
            [ComposeLabels.OneOff] = "False",
            [ComposeLabels.Version] = ComposeLabels.CompatibleVersion,
        };
        var parameters = new CreateContainerParameters
        {
            Name = $"{project}-{planned.ComposeService}-1",
            Image = planned.Image,
            Env = planned.Env.Select(e => $"{e.Key}={e.Value}").ToList(),
            Cmd = planned.Command?.ToList(),
            Labels = labels,
            StopTimeout = planned.StopGracePeriod,
            HostConfig = new HostConfig
            {
                NetworkMode = "host",
                RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.UnlessStopped },
                NanoCPUs = planned.Cpus is { } cpus ? (long)(cpus * 1e9) : 0,
                Memory = planned.MemoryBytes ?? 0,
            },
        };
        if (planned.Healthcheck is { } health)
        {
            parameters.Healthcheck = new HealthConfig
            {
                Test = health.Test.ToList(),
                Interval = health.Interval?.Value ?? TimeSpan.Zero,
                Timeout = health.Timeout?.Value ?? TimeSpan.Zero,
                Retries = health.Retries ?? 0,
                StartPeriod = (health.StartPeriod?.Value ?? TimeSpan.Zero).Ticks * 100, // nanoseconds
            };
        }

        var created = await docker.Containers.CreateContainerAsync(parameters, cancellationToken);
        await docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken);
        return created.ID;
    }

    /// <summary>SIGTERM, then a kill after <paramref name="grace"/>; then the container is removed.</summary>
    private async Task StopAndRemoveAsync(string id, TimeSpan grace, CancellationToken cancellationToken)
    {
        await docker.Containers.StopContainerAsync(id, new ContainerStopParameters { WaitBeforeKillSeconds = (uint)Math.Ceiling(grace.TotalSeconds) }, cancellationToken);
        await docker.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true }, cancellationToken);
    }

    /// <summary>Waits until the container is healthy (with a healthcheck) or has run for the settle time; returns why not, or null.</summary>
    private async Task<string?> WaitUntilUpAsync(PlannedContainer planned, string id, CancellationToken cancellationToken)
    {
        var start = time.GetTimestamp();
        long? restartSeen = null;
        while (true)
        {
            var inspect = await docker.Containers.InspectContainerAsync(id, cancellationToken);
            var state = inspect.State;
            var restarted = inspect.RestartCount > 0 ? $" and was restarted {inspect.RestartCount} time(s)" : "";
            if (state.Status is "exited" or "dead" || state.Restarting)
            {
                return $"{planned.ComposeService} exited with code {state.ExitCode}{restarted}; last log lines:\n{await LastLogLinesAsync(id, cancellationToken)}";
            }

            if (inspect.RestartCount > 0)
            {
                // It crashed and is running again, so its state no longer holds the exit code. Wait a little for the
                // next exit to read one; a container that stays up after a restart still fails the apply.
                restartSeen ??= time.GetTimestamp();
                if (time.GetElapsedTime(restartSeen.Value) >= options.SettleTime)
                {
                    return $"{planned.ComposeService} exited{restarted}; last log lines:\n{await LastLogLinesAsync(id, cancellationToken)}";
                }

                await Task.Delay(options.PollInterval, time, cancellationToken);
                continue;
            }

            var elapsed = time.GetElapsedTime(start);
            if (planned.Healthcheck is not null && state.Health?.Status == "healthy")
            {
                return null;
            }

            if (planned.Healthcheck is null && elapsed >= options.SettleTime)
            {
                return null;
            }

            if (elapsed >= options.StartTimeout)
            {
                return $"{planned.ComposeService} did not become {(planned.Healthcheck is null ? "stable" : "healthy")} within {options.StartTimeout.TotalSeconds}s (health: {state.Health?.Status ?? "none"}); last log lines:\n{await LastLogLinesAsync(id, cancellationToken)}";
            }

            await Task.Delay(options.PollInterval, time, cancellationToken);
        }
    }

    private async Task<string> LastLogLinesAsync(string id, CancellationToken cancellationToken)
    {
        using var stream = await docker.Containers.GetContainerLogsAsync(id, tty: false, new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Tail = "20" }, cancellationToken);
        var (stdout, stderr) = await stream.ReadOutputToEndAsync(cancellationToken);
        var text = new StringBuilder().Append(stdout).Append(stderr).ToString().TrimEnd();
        return text.Length == 0 ? "(no output)" : text;
    }
}
