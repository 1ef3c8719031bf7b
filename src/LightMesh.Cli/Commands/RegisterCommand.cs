using System.ComponentModel;
using System.Net;
using LightMesh.Cli.Output;
using LightMesh.Core.Mesh;
using LightMesh.Core.Validation;
using LightMesh.Etcd.Registry;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands;

/// <summary>
/// <c>lightmesh register</c>: registers an instance under a lease and keeps it alive until Ctrl-C or SIGTERM,
/// then revokes it so traffic leaves at once. The registrar for services that do not register themselves.
/// </summary>
public sealed class RegisterCommand : AsyncCommand<RegisterCommand.Settings>
{
    public sealed class Settings : GlobalSettings
    {
        [CommandOption("--service <SERVICE>")]
        [Description("The Service the instance belongs to; it must exist. Required")]
        public string Service { get; init; } = "";

        [CommandOption("--version <VERSION>")]
        [Description("The version it runs (its version label, which subsets select on). Required")]
        public string Version { get; init; } = "";

        [CommandOption("--address <IP:PORT>")]
        [Description("Where it listens. Required")]
        public string Address { get; init; } = "";

        [CommandOption("--label <KEY=VALUE>")]
        [Description("A label subsets can select on; repeat for more (version is always set)")]
        public string[] Labels { get; init; } = [];

        [CommandOption("--ttl <DURATION>")]
        [Description("Lease TTL; the instance vanishes this long after keep-alives stop. Default: 10s")]
        public string Ttl { get; init; } = "10s";

        [CommandOption("--id <ID>")]
        [Description("Instance id. Default: address-port")]
        public string? Id { get; init; }

        [CommandOption("--node <NODE>")]
        [Description("The Node it runs on, if any")]
        public string? Node { get; init; }

        public override ValidationResult Validate()
        {
            var problems = new List<string>();
            if (Service.Length == 0)
            {
                problems.Add("--service: is required");
            }

            if (Version.Length == 0)
            {
                problems.Add("--version: is required");
            }

            if (!IPEndPoint.TryParse(Address, out var endpoint) || endpoint.Port == 0)
            {
                problems.Add($"--address: \"{Address}\" must be IP:PORT");
            }

            if (!Duration.TryParse(Ttl, out var ttl) || ttl.Value < TimeSpan.FromSeconds(2))
            {
                problems.Add($"--ttl: \"{Ttl}\" must be a duration of at least 2s");
            }

            problems.AddRange(Labels.Where(l => l.Split('=') is not [{ Length: > 0 }, _]).Select(l => $"--label: \"{l}\" must be KEY=VALUE"));
            if (problems.Count == 0 && InstanceValidator.Validate(ToInstance()) is { Count: > 0 } invalid)
            {
                problems.AddRange(invalid);
            }

            return problems.Count == 0 ? base.Validate() : ValidationResult.Error(string.Join("; ", problems));
        }

        public TimeSpan TtlValue => Duration.TryParse(Ttl, out var ttl) ? ttl.Value : throw new InvalidOperationException("validated");

        public Instance ToInstance()
        {
            var endpoint = IPEndPoint.Parse(Address);
            var address = endpoint.Address.ToString();
            return new Instance
            {
                Service = Service, Version = Version, Address = address, Port = endpoint.Port, Node = Node,
                Id = Id ?? Instance.DefaultId(address, endpoint.Port),
                Labels = Labels.Select(l => l.Split('=')).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal),
            };
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var etcd = settings.Connect();
        var registry = new InstanceRegistry(etcd, TimeProvider.System, NullLogger<InstanceRegistry>.Instance);
        var instance = settings.ToInstance();
        var outcome = await registry.RegisterAsync(instance, settings.TtlValue, cancellationToken);
        if (outcome.Registration is not { } registration)
        {
            Printer.Error($"conflict: {outcome.Conflict}");
            return ExitCodes.Conflict;
        }

        await using (registration)
        {
            Printer.Line($"registered {instance.Service}/{instance.Id} ({instance.Version}) under lease {registration.Lease}; keeping it alive until interrupted");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C or SIGTERM: deregister below.
            }
        }

        Printer.Line($"deregistered {instance.Service}/{instance.Id}");
        return ExitCodes.Ok;
    }
}
