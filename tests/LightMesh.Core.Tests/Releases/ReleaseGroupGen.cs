using CsCheck;
using LightMesh.Core.Releases;

namespace LightMesh.Core.Tests.Releases;

/// <summary>Generated release groups for the property tests of their order and plan.</summary>
internal static class ReleaseGroupGen
{
    /// <summary>Members named m0..mN, each after some of those before it (so no cycle), shuffled.</summary>
    public static readonly Gen<List<GroupMember>> Acyclic =
        Gen.Int[1, 8].SelectMany(count => Gen.Bool.Array[count * count].Select(edges =>
            Enumerable.Range(0, count)
                .Select(i => new GroupMember($"m{i}", "w", [.. Enumerable.Range(0, i).Where(j => edges[i * count + j]).Select(j => $"m{j}")]))
                .ToList()))
            .SelectMany(members => Gen.Shuffle(members.ToArray()).Select(shuffled => shuffled.ToList()));
}
