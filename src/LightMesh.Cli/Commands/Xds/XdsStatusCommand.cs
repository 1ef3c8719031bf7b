using System.ComponentModel;
using System.Net.Http.Json;
using System.Text.Json;
using LightMesh.Cli.Output;
using LightMesh.ControlPlane.Hosting;
using LightMesh.Core;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands.Xds;

/// <summary><c>lightmesh xds status</c>: each connected proxy, what it ACKed per type, and its last NACK.</summary>
public sealed class XdsStatusCommand : AsyncCommand<XdsStatusCommand.Settings>
{
    public sealed class Settings : GlobalSettings
    {
        [CommandOption("--admin <URL>")]
        [Description("The control plane's admin URL. Default: http://127.0.0.1:18001")]
        public string Admin { get; init; } = "http://127.0.0.1:18001";

        public override ValidationResult Validate() =>
            Uri.TryCreate(Admin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                ? base.Validate()
                : ValidationResult.Error($"--admin: \"{Admin}\" must be an http:// URL");
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        StatusReport? report;
        try
        {
            report = await http.GetFromJsonAsync<StatusReport>(new Uri(new Uri(settings.Admin), "/status"), JsonSerializerOptions.Web, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new ServerUnreachableException($"the control plane at {settings.Admin} could not be reached: {e.Message}", e);
        }

        StatusOutput.Print(report!, settings.Output);
        return ExitCodes.Ok;
    }
}
