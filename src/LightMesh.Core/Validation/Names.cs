using System.Net;
using System.Text.RegularExpressions;

namespace LightMesh.Core.Validation;

/// <summary>Name rules shared by every document: DNS-1123 labels and subdomains, hosts, label keys.</summary>
public static partial class Names
{
    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1123LabelPattern();

    [GeneratedRegex(@"^([A-Za-z0-9]([-A-Za-z0-9_]*[A-Za-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelKeyPattern();

    [GeneratedRegex(@"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelValuePattern();

    /// <summary>Returns why <paramref name="name"/> is not a DNS-1123 label (lower case, digits, '-', at most 63), or null.</summary>
    public static string? CheckDns1123Label(string name)
    {
        if (name.Length == 0)
        {
            return "must not be empty";
        }

        if (name.Length > 63)
        {
            return $"\"{name}\" is longer than 63 characters";
        }

        return Dns1123LabelPattern().IsMatch(name)
            ? null
            : $"\"{name}\" must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit)";
    }

    /// <summary>Returns why <paramref name="name"/> is not a DNS-1123 subdomain (dot-separated labels, at most 253), or null.</summary>
    public static string? CheckDns1123Subdomain(string name)
    {
        if (name.Length == 0)
        {
            return "must not be empty";
        }

        if (name.Length > 253)
        {
            return $"\"{name}\" is longer than 253 characters";
        }

        return name.Split('.').All(label => label.Length <= 63 && Dns1123LabelPattern().IsMatch(label))
            ? null
            : $"\"{name}\" must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.')";
    }

    public static string? CheckLabelKey(string key) => key.Length is > 0 and <= 253 && LabelKeyPattern().IsMatch(key)
        ? null
        : $"label key \"{key}\" must be a name like app or example.com/app";

    public static string? CheckLabelValue(string value) => value.Length <= 63 && LabelValuePattern().IsMatch(value)
        ? null
        : $"label value \"{value}\" must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";

    /// <summary>True for an IPv4 address in dotted-quad form or an IPv6 address; "1" or "host" are not addresses.</summary>
    public static bool IsIpAddress(string text) =>
        IPAddress.TryParse(text, out var address)
        && (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 || text.Count(c => c == '.') == 3);
}
