namespace LightMesh.Bench;

/// <summary>
/// The controller's memory at one moment: resident set from /proc, the GC heap as the last collection left it (steadier
/// than <c>dotnet_total_memory_bytes</c>, which counts garbage not yet collected), and its thread count.
/// </summary>
internal sealed record MemoryReading(long Resident, double? HeapAfterGc, double? Threads)
{
    public static async Task<MemoryReading> TakeAsync(BenchController server, HttpClient http, CancellationToken cancellationToken) => new(
        ProcessMeter.ResidentBytes(server.Id),
        await server.MetricAsync(http, "system_runtime_dotnet_gc_last_collection_heap_size", cancellationToken),
        await server.MetricAsync(http, "process_num_threads", cancellationToken));
}
