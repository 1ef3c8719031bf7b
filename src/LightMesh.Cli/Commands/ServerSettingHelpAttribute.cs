using System.ComponentModel;
using LightMesh.Host.Configuration;

namespace LightMesh.Cli.Commands;

/// <summary>A server flag's <c>--help</c> text, taken from its one definition in <see cref="ServerSettings"/>: what it is for, its default and its key.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ServerSettingHelpAttribute(string flag) : DescriptionAttribute
{
    public string Flag => flag;

    public override string Description => ServerSettings.ByFlag(flag).Description;
}
