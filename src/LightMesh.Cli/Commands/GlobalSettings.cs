using System.ComponentModel;
using LightMesh.Etcd;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands;

/// <summary>Options every verb takes: where etcd is, the key prefix, and the output format.</summary>
public class GlobalSettings : CommandSettings
{
    [CommandOption("--etcd <URLS>")]
    [Description("etcd client URLs, comma-separated. Default: $LIGHTMESH_ETCD, else http://127.0.0.1:2379")]
    public string? Etcd { get; init; }

    [CommandOption("--prefix <PREFIX>")]
    [Description("Key prefix in etcd. Default: /lightmesh/")]
    public string? Prefix { get; init; }

    [CommandOption("-o|--output <FORMAT>")]
    [Description("table, json or yaml. Default: table")]
    public string Output { get; init; } = "table";

    public EtcdOptions ToEtcdOptions() => new()
    {
        Endpoints = Etcd ?? NonEmpty(Environment.GetEnvironmentVariable("LIGHTMESH_ETCD")) ?? EtcdOptions.DefaultEndpoints,
        Prefix = Prefix ?? EtcdOptions.DefaultPrefix,
    };

    public override ValidationResult Validate()
    {
        if (Output is not ("table" or "json" or "yaml"))
        {
            return ValidationResult.Error($"-o/--output: \"{Output}\" is not one of table, json, yaml");
        }

        return ToEtcdOptions().Check() is { } problem ? ValidationResult.Error(problem) : ValidationResult.Success();
    }

    public EtcdConnection Connect() => new(ToEtcdOptions(), TimeProvider.System);

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
