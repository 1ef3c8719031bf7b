using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;

namespace LightMesh.Bench;

/// <summary>
/// The controller's memory at one moment: resident set from /proc, the GC heap as the last collection left it (steadier
/// than <c>dotnet_total_memory_bytes</c>, which counts garbage not yet collected), and its thread count; and, when
/// asked for, the live heap: the heap's size, less its free space, after a full collection the benchmark asks the
/// controller for.
/// </summary>
internal sealed record MemoryReading(long Resident, double? HeapAfterGc, double? Threads, double? LiveHeap = null)
{
    private const string Gen2Collections = "dotnet_collection_count_total{generation=\"2\"}";
    private const string HeapSize = "system_runtime_dotnet_gc_last_collection_heap_size";

    // The runtime provider's GCHeapCollect keyword: enabling it makes the runtime run a full blocking collection,
    // as dotnet-gcdump does before it walks the heap.
    private const long GcHeapCollectKeyword = 0x800000;
    private static readonly TimeSpan CollectionTimeout = TimeSpan.FromSeconds(30);

    public static Task<MemoryReading> TakeAsync(BenchController server, HttpClient http, CancellationToken cancellationToken) =>
        TakeAsync(server.Scraped, http, cancellationToken);

    public static async Task<MemoryReading> TakeAsync(ScrapedProcess server, HttpClient http, CancellationToken cancellationToken)
    {
        var resident = ProcessMeter.ResidentBytes(server.Id);
        var metrics = await server.ScrapeAsync(http, cancellationToken);
        return new(resident, metrics.Sum(HeapSize), metrics.Sum("process_num_threads"));
    }

    /// <summary>
    /// The reading <c>TakeAsync</c> takes, then a full collection in the controller and its heap size after it: what is live,
    /// whatever the collector's budgets and timing happened to leave behind.
    /// </summary>
    public static Task<MemoryReading> TakeWithLiveHeapAsync(BenchController server, HttpClient http, CancellationToken cancellationToken) =>
        TakeWithLiveHeapAsync(server.Scraped, http, cancellationToken);

    public static async Task<MemoryReading> TakeWithLiveHeapAsync(ScrapedProcess server, HttpClient http, CancellationToken cancellationToken)
    {
        var reading = await TakeAsync(server, http, cancellationToken);
        var before = await server.MetricAsync(http, Gen2Collections, cancellationToken) ?? 0;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(CollectionTimeout);
        var client = new DiagnosticsClient(server.Id);
        using var session = await client.StartEventPipeSessionAsync(
            [new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, GcHeapCollectKeyword)], requestRundown: false, circularBufferMB: 16, deadline.Token);
        var drained = session.EventStream.CopyToAsync(Stream.Null, deadline.Token);
        while (await server.MetricAsync(http, Gen2Collections, deadline.Token) is not { } after || after <= before)
        {
            await Task.Delay(50, deadline.Token);
        }

        await session.StopAsync(deadline.Token);
        await drained;
        // The collection need not compact: what it freed between live objects is counted as fragmentation, not live. Both
        // from one read, so they are of the same collection.
        var collected = await server.ScrapeAsync(http, cancellationToken);
        return reading with { LiveHeap = collected.Sum(HeapSize) - collected.Sum("system_runtime_dotnet_gc_last_collection_heap_fragmentation_size") };
    }
}
