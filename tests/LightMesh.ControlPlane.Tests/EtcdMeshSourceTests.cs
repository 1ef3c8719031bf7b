using CsCheck;
using LightMesh.Core;
using LightMesh.ControlPlane.Mesh;
using LightMesh.Core.Documents;
using LightMesh.Core.Networking;
using LightMesh.Core.Parsing;
using LightMesh.Etcd;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Watching;
using LightMesh.Testing;

namespace LightMesh.ControlPlane.Tests;

/// <summary>
/// The control plane's watched copy of the documents is what a release's write is planned on, and its one watch is how
/// a running release hears of an operator's action: both must be what etcd holds, as of the revision they say.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class EtcdMeshSourceTests(EtcdFixture etcd)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static EtcdMeshSource Source(EtcdConnection connection) =>
        new(connection, new PrefixWatcher(connection, TimeProvider.System, EtcdFixture.Logger<PrefixWatcher>()), EtcdFixture.Logger<EtcdMeshSource>());

    private static string Node(int node, int address) =>
        $"apiVersion: lightmesh.io/v1\nkind: Node\nmetadata: {{name: node-{node}}}\nspec: {{address: 127.0.0.{address}}}";

    /// <summary>
    /// Any writes and deletes, some read by the source's first read and the rest by its watch, the copy indexed after each
    /// (so each index follows the one before): once it has applied etcd's revision, the copy holds exactly the stored
    /// documents, each at its mod revision, and its index finds each of them.
    /// </summary>
    [Fact]
    public async Task Documents_AfterAnyWritesAndDeletes_AreWhatEtcdHolds_AtTheirModRevisions()
    {
        var change = Gen.Select(Gen.Int[0, 3], Gen.Bool, Gen.Int[1, 9]);
        await Gen.Select(change.List[0, 12], Gen.Int[0, 12]).SampleAsync(async (changes, watchedFrom) =>
        {
            using var connection = etcd.Connect(etcd.NewPrefix());
            var store = new DocumentStore(connection);
            using var stop = new CancellationTokenSource();
            var source = Source(connection);
            Task? watching = null;
            try
            {
                for (var i = 0; i < changes.Count; i++)
                {
                    if (i == watchedFrom)
                    {
                        watching = source.RunAsync(stop.Token);
                    }

                    var (node, delete, address) = changes[i];
                    if (delete)
                    {
                        await store.DeleteAsync(DocumentKind.Node, $"node-{node}", default);
                    }
                    else
                    {
                        await store.ApplyYamlAsync(Node(node, address), "node.yaml", default);
                    }

                    if (watching is not null)
                    {
                        _ = (await source.DocumentsAsOfAsync((await store.ReadAsync(default)).Revision, Wait, default))?.Index;
                    }
                }

                watching ??= source.RunAsync(stop.Token);
                var stored = await store.ReadAsync(default);
                var copy = await source.DocumentsAsOfAsync(stored.Revision, Wait, default);

                Assert.NotNull(copy);
                Assert.True(copy.Revision >= stored.Revision, $"copy at {copy.Revision}, etcd read at {stored.Revision}");
                Assert.Equal(Described(stored), Described(copy));
                Assert.All(copy.Documents, d => Assert.Same(d, copy.Find(d.Document.Kind, d.Document.Name)));
            }
            finally
            {
                await stop.CancelAsync();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watching ?? Task.FromCanceled(stop.Token));
            }
        }, iter: 12, threads: 1);
    }

    /// <summary>
    /// A value that does not read, or reads as a document of another kind or name than its key's (written by hand under
    /// node-2's key): while it is stored, the copy is none, and a write is planned on what etcd holds, which refuses it.
    /// </summary>
    [Theory]
    [InlineData("{not json")]
    [InlineData("apiVersion: lightmesh.io/v1\nkind: Node\nmetadata: {name: node-1}\nspec: {address: 127.0.0.2}")]
    [InlineData("apiVersion: lightmesh.io/v1\nkind: Service\nmetadata: {name: node-2}\nspec: {protocol: http, port: 80}")]
    public async Task Documents_WhileAStoredDocumentCannotBeRead_AreNone_SoEtcdIsReadInstead(string value)
    {
        using var connection = etcd.Connect(etcd.NewPrefix());
        var store = new DocumentStore(connection);
        await store.ApplyYamlAsync(Node(1, 1), "node.yaml", default);
        var broken = connection.Keys.Document(DocumentKind.Node, "node-2");
        var stored = value.StartsWith('{') ? value : DocumentCodec.Write(DocumentParser.Parse(value, "by-hand.yaml").Documents.Single().Document).ToJsonString();
        using var stop = new CancellationTokenSource();
        var source = Source(connection);
        var watching = source.RunAsync(stop.Token);
        try
        {
            var (_, written) = await new GuardedTxn().Put(broken, stored).CommitAsync(connection, default);
            Assert.Null(await source.DocumentsAsOfAsync(written, Wait, default));
            var refused = await Assert.ThrowsAsync<LightMeshException>(() => store.ReadAsync(default));
            Assert.Contains($"stored document at {broken} is not valid", refused.Message, StringComparison.Ordinal);

            var (_, deleted) = await new GuardedTxn().Delete(broken).CommitAsync(connection, default);
            var copy = await source.DocumentsAsOfAsync(deleted, Wait, default);

            Assert.NotNull(copy);
            Assert.Equal(["node-1"], copy.Documents.Select(d => d.Document.Name));
        }
        finally
        {
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watching);
        }
    }

    /// <summary>
    /// A release's write replaces a document: in the next copy it is where the one it replaced was, the others as they
    /// were, so the copy's index follows the last one's (<see cref="DocumentSnapshot.Following"/>) and finds the new one.
    /// </summary>
    [Fact]
    public async Task Documents_AReplacedDocument_TakesThePlaceOfTheOneItReplaced()
    {
        using var connection = etcd.Connect(etcd.NewPrefix());
        var store = new DocumentStore(connection);
        await store.ApplyYamlAsync(
            TestMeshes.Join([.. new[] { "s0", "s1" }.SelectMany(s => new[] { TestMeshes.Service(s), TestMeshes.Rule(s, ["v1", "v2"]), TestMeshes.DefaultRoute(s, "v1") })]),
            "mesh.yaml",
            default);
        using var stop = new CancellationTokenSource();
        var source = Source(connection);
        var watching = source.RunAsync(stop.Token);
        try
        {
            var before = await source.DocumentsAsOfAsync((await store.ReadAsync(default)).Revision, Wait, default);
            Assert.NotNull(before);
            Assert.Equal("s0", before.RoutesOf("s0")?.Name);

            await store.ApplyYamlAsync(TestMeshes.CanaryRoutes("s0", 90, 10), "canary.yaml", default);
            var after = await source.DocumentsAsOfAsync((await store.ReadAsync(default)).Revision, Wait, default);

            Assert.NotNull(after);
            Assert.Equal(before.Documents.Select(d => d.Key), after.Documents.Select(d => d.Key));
            var canary = after.Find(DocumentKind.VirtualService, "s0");
            Assert.Equal(2, canary?.Document is VirtualService vs ? vs.Spec.Http.Count : 0);
            Assert.Same(canary?.Document, after.RoutesOf("s0"));
            Assert.Same(before.RoutesOf("s1"), after.RoutesOf("s1"));
        }
        finally
        {
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watching);
        }
    }

    [Fact]
    public async Task DocumentsAsOf_ARevisionTheWatchHasNotReached_IsNoneAfterTheWait()
    {
        using var connection = etcd.Connect(etcd.NewPrefix());
        var (_, revision) = await new GuardedTxn().Put(connection.Keys.Document(DocumentKind.Node, "node-1"), "{}").CommitAsync(connection, default);

        // Never started: the copy holds nothing yet.
        Assert.Null(await Source(connection).DocumentsAsOfAsync(revision, TimeSpan.FromMilliseconds(200), default));
    }

    /// <summary>A follower hears each change of its key made after it began, with its revision, and nothing once it stops.</summary>
    [Fact]
    public async Task Follow_HearsEachLaterChangeOfItsKeyOnly_UntilDisposed()
    {
        using var connection = etcd.Connect(etcd.NewPrefix());
        var key = connection.Keys.Release("r1");
        var other = connection.Keys.Release("r2");
        using var stop = new CancellationTokenSource();
        var source = Source(connection);
        var watching = source.RunAsync(stop.Token);
        try
        {
            var (_, started) = await new GuardedTxn().Put(other, "{}").CommitAsync(connection, default);
            await source.DocumentsAsOfAsync(started, Wait, default);
            var followed = source.Follow(key);

            var (_, put) = await new GuardedTxn().Put(key, "{\"a\":1}").CommitAsync(connection, default);
            await new GuardedTxn().Put(other, "{\"b\":1}").CommitAsync(connection, default);
            var (_, deleted) = await new GuardedTxn().Delete(key).CommitAsync(connection, default);
            using var timeout = new CancellationTokenSource(Wait);
            var first = await followed.Changes.ReadAsync(timeout.Token);
            var second = await followed.Changes.ReadAsync(timeout.Token);

            Assert.Equal((key, "{\"a\":1}", put), (first.Key, first.Value, first.ModRevision));
            Assert.Equal((key, true, deleted), (second.Key, second.IsDelete, second.ModRevision));

            followed.Dispose();
            var (_, after) = await new GuardedTxn().Put(key, "{\"a\":2}").CommitAsync(connection, default);
            Assert.NotNull(await source.DocumentsAsOfAsync(after, Wait, default));
            Assert.False(followed.Changes.TryRead(out var late), $"a change after the follower stopped: {late}");
        }
        finally
        {
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watching);
        }
    }

    private static List<string> Described(DocumentSnapshot snapshot) =>
        snapshot.Documents.Select(d => $"{d.Key}@{d.ModRevision}: {DocumentCodec.Write(d.Document).ToJsonString()}").Order(StringComparer.Ordinal).ToList();
}
