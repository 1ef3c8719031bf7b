namespace LightMesh.Core.Releases;

/// <summary>A cycle among a group's members: each member waits for the next, and the last for the first.</summary>
public sealed record GroupCycle(IReadOnlyList<string> Services)
{
    /// <summary>As people read it: <c>checkout -> payments -> checkout</c>.</summary>
    public override string ToString() => string.Join(" -> ", Services.Append(Services[0]));
}

/// <summary>The order a group's members start in, from their <c>after</c> lists, as pure functions.</summary>
public static class ReleaseGroupOrder
{
    /// <summary>
    /// The members in the order they may start: each after every member it names in <c>after</c>, and among those free to
    /// start, in document order. Null when the <c>after</c> lists form a cycle (<see cref="FindCycle"/> names it);
    /// names that are not members are left out (validation reports them).
    /// </summary>
    public static IReadOnlyList<GroupMember>? Order(IReadOnlyList<GroupMember> members)
    {
        var known = members.Select(m => m.Service).ToHashSet(StringComparer.Ordinal);
        var placed = new HashSet<string>(StringComparer.Ordinal);
        var order = new List<GroupMember>();
        while (order.Count < members.Count)
        {
            var next = members.FirstOrDefault(m => !placed.Contains(m.Service) && m.After.Where(known.Contains).All(placed.Contains));
            if (next is null)
            {
                return null;
            }

            order.Add(next);
            placed.Add(next.Service);
        }

        return order;
    }

    /// <summary>A cycle among the members' <c>after</c> lists, starting at the first member (in document order) on one; null when there is none.</summary>
    public static GroupCycle? FindCycle(IReadOnlyList<GroupMember> members)
    {
        var after = members.GroupBy(m => m.Service, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().After, StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in members)
        {
            var path = new List<string>();
            if (Visit(member.Service, path) is { } cycle)
            {
                return cycle;
            }
        }

        return null;

        GroupCycle? Visit(string service, List<string> path)
        {
            if (path.IndexOf(service) is var at and >= 0)
            {
                return new GroupCycle(path[at..]);
            }

            if (done.Contains(service) || !after.TryGetValue(service, out var waitsFor))
            {
                return null;
            }

            path.Add(service);
            foreach (var before in waitsFor)
            {
                if (Visit(before, path) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            done.Add(service);
            return null;
        }
    }

    /// <summary>Every member that starts after <paramref name="service"/>, directly or through others: what <see cref="MemberFailurePolicy.RollbackDependants"/> rolls back with it.</summary>
    public static IReadOnlySet<string> Dependants(IReadOnlyList<GroupMember> members, string service)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var grew = true;
        while (grew)
        {
            grew = false;
            foreach (var member in members.Where(m => m.Service != service && !found.Contains(m.Service) && m.After.Any(a => a == service || found.Contains(a))))
            {
                grew |= found.Add(member.Service);
            }
        }

        return found;
    }
}
