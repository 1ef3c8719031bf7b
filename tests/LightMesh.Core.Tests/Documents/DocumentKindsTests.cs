using LightMesh.Core.Documents;

namespace LightMesh.Core.Tests.Documents;

/// <summary>Each kind's names, as the CLI reads them: one table, every name read back to its own kind, none shared.</summary>
public sealed class DocumentKindsTests
{
    [Fact]
    public void EveryNameOfAKind_ReadsBackToIt_InAnyCase_AndNoNameIsTwoKinds()
    {
        foreach (var kind in DocumentKinds.All)
        {
            foreach (var name in DocumentKinds.NamesOf(kind))
            {
                Assert.True(DocumentKinds.TryParse(name, out var parsed) && parsed == kind, $"{name} does not read as {kind}");
                Assert.True(DocumentKinds.TryParse(name.ToUpperInvariant(), out var upper) && upper == kind);
            }
        }

        var names = DocumentKinds.All.SelectMany(DocumentKinds.NamesOf).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.False(DocumentKinds.TryParse("vss", out _));
        Assert.True(DocumentKinds.TryParse("VirtualService", out var written) && written == DocumentKind.VirtualService);
    }
}
