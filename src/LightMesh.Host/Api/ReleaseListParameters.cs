using System.Globalization;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Releases;
using Microsoft.AspNetCore.Http;

namespace LightMesh.Host.Api;

/// <summary>The query of <c>GET /api/v1/releases</c>: <c>limit</c>, <c>continue</c>, <c>service</c>, <c>startedBy</c> and <c>phase</c>, every problem named by its parameter.</summary>
public static class ReleaseListParameters
{
    public static (ReleaseQuery? Query, IReadOnlyList<string> Errors) Read(IQueryCollection parameters)
    {
        var errors = new List<string>();
        var query = new ReleaseQuery();
        if (One(parameters, "limit", errors) is { } limit)
        {
            if (int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is >= 1 and <= ReleaseQuery.MaxLimit)
            {
                query = query with { Limit = count };
            }
            else
            {
                errors.Add($"limit: \"{limit}\" must be a whole number 1..{ReleaseQuery.MaxLimit}");
            }
        }

        if (One(parameters, "continue", errors) is { } text)
        {
            if (ContinueToken.Parse(text) is { } token)
            {
                query = query with { Continue = token };
            }
            else
            {
                errors.Add("continue: not a token this list gave; start again without it");
            }
        }

        if (One(parameters, "service", errors) is { } service)
        {
            if (service.Length > 0)
            {
                query = query with { Service = service };
            }
            else
            {
                errors.Add("service: must not be empty");
            }
        }

        if (One(parameters, "startedBy", errors) is { } startedBy)
        {
            if (startedBy.Length > 0)
            {
                query = query with { StartedBy = startedBy };
            }
            else
            {
                errors.Add("startedBy: must not be empty");
            }
        }

        if (One(parameters, "phase", errors) is { } phase)
        {
            if (Enum.GetNames<ReleasePhase>().FirstOrDefault(p => string.Equals(p, phase, StringComparison.OrdinalIgnoreCase)) is { } name)
            {
                query = query with { Phase = Enum.Parse<ReleasePhase>(name) };
            }
            else
            {
                errors.Add($"phase: \"{phase}\" is not one of {string.Join(", ", Enum.GetNames<ReleasePhase>())}");
            }
        }

        return errors.Count > 0 ? (null, errors) : (query, errors);
    }

    private static string? One(IQueryCollection parameters, string name, List<string> errors)
    {
        if (!parameters.TryGetValue(name, out var values))
        {
            return null;
        }

        if (values.Count > 1)
        {
            errors.Add($"{name}: given {values.Count} times; give it once");
            return null;
        }

        return values[0] ?? "";
    }
}
