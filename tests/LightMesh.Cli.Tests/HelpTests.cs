using System.ComponentModel;
using System.Reflection;
using Spectre.Console.Cli;
using static LightMesh.Cli.Tests.CliProcess;

namespace LightMesh.Cli.Tests;

/// <summary>Help reads well at 80 columns: what LightMesh is, each command by name with its description beside it.</summary>
public sealed class HelpTests
{
    [Theory]
    [InlineData("")]
    [InlineData("release")]
    [InlineData("xds")]
    [InlineData("etcd")]
    [InlineData("compose")]
    [InlineData("apply")]
    [InlineData("release start")]
    [InlineData("server")]
    public async Task Help_FitsEightyColumns(string verb)
    {
        var help = await RunAsync([.. verb.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"]);

        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.All(help.Stdout.Split('\n'), line => Assert.True(line.TrimEnd().Length <= 80, $"{line.TrimEnd().Length} columns: {line}"));
    }

    [Fact]
    public async Task RootHelp_SaysWhatLightMeshIs_ListsEachCommandBesideItsDescription_AndTheOptionsEveryVerbTakes()
    {
        var help = (await RunAsync("--help")).Stdout;

        Assert.StartsWith("LightMesh Release: a service mesh control plane and release orchestrator", help, StringComparison.Ordinal);
        Assert.Matches("(?m)^    weights +Set the subset weights of a VirtualService route", help);
        Assert.Matches("(?m)^    apply +Validate documents against the store and write them all, or none", help);
        Assert.DoesNotMatch("(?m)^    [a-z]+ *$", help);
        Assert.Contains("--server URL and --token", help, StringComparison.Ordinal);
        Assert.Contains("'lightmesh COMMAND --help'", help, StringComparison.Ordinal);
    }

    /// <summary>A branch's help lists the options its verbs share, and each verb's help lists them after its own.</summary>
    [Theory]
    [InlineData("release")]
    [InlineData("schedule")]
    [InlineData("window")]
    [InlineData("proxies")]
    [InlineData("release start")]
    [InlineData("release status")]
    [InlineData("schedule add")]
    public async Task VerbsThatOnlyCallAController_OfferItsOptions_AndNoneOfEtcds(string verb)
    {
        var help = (await RunAsync([.. verb.Split(' '), "--help"])).Stdout;

        Assert.Contains("--server <URL>", help, StringComparison.Ordinal);
        Assert.Contains("--token <TOKEN>", help, StringComparison.Ordinal);

        Assert.DoesNotContain("--etcd", help, StringComparison.Ordinal);
        Assert.DoesNotContain("--prefix", help, StringComparison.Ordinal);
    }

    [Fact]
    public void TheKindsHelp_NamesEveryKindAndAlias_TheParserTakes()
    {
        var named = Commands.KindSettings.KindsHelp.Split([' ', ',', '(', ')'], StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);

        var missing = Core.Documents.DocumentKinds.All.SelectMany(Core.Documents.DocumentKinds.NamesOf)
            .Where(n => !n.EndsWith('s') || n == "svc" || n == "vs")
            .Where(n => !named.Contains(n))
            .ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void EveryArgument_AndEveryOption_HasADescription()
    {
        var undescribed = typeof(LightMeshApp).Assembly.GetTypes()
            .Where(t => typeof(CommandSettings).IsAssignableFrom(t))
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(p => (p.GetCustomAttribute<CommandArgumentAttribute>() is not null || p.GetCustomAttribute<CommandOptionAttribute>() is not null)
                        && p.GetCustomAttribute<DescriptionAttribute>() is null && p.GetCustomAttribute<Commands.ServerSettingHelpAttribute>() is null)
            .Select(p => $"{p.DeclaringType!.FullName}.{p.Name}")
            .ToList();

        Assert.Empty(undescribed);
    }
}
