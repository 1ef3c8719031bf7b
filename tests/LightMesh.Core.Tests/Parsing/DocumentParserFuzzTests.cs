using System.Globalization;
using System.Text;
using LightMesh.Core.Parsing;
using LightMesh.Testing;
using Xunit.Abstractions;

namespace LightMesh.Core.Tests.Parsing;

/// <summary>
/// Fuzzes the document parser with random and mutated documents (<see cref="FuzzInputs"/>): whatever the bytes, it
/// gives documents or errors, never an exception or a hang, and what it accepts can be stored as JSON and read back.
/// Each run draws new cases and prints its seed; a failing case prints its own, which <c>LIGHTMESH_FUZZ_SEED=N</c> replays
/// alone, and writes its input to a file for <c>tests/corpus/hostile</c>. <c>LIGHTMESH_FUZZ_LONG=1</c> runs a hundred
/// times as many cases (several minutes).
/// </summary>
public sealed class DocumentParserFuzzTests(ITestOutputHelper output)
{
    private const int Cases = 2000;

    /// <summary>Room for a slow machine; a case takes about a millisecond.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Parse_RandomAndMutatedInput_GivesDocumentsOrErrors_NeverAnException()
    {
        var inputs = new FuzzInputs(SeedFiles());
        var replay = Environment.GetEnvironmentVariable("LIGHTMESH_FUZZ_SEED");
        var longRun = Environment.GetEnvironmentVariable("LIGHTMESH_FUZZ_LONG") == "1";
        var run = Random.Shared.Next();
        var seeds = replay is not null
            ? [int.Parse(replay, CultureInfo.InvariantCulture)]
            : Seeds(run, longRun ? Cases * 100 : Cases);
        output.WriteLine(replay is not null ? $"replaying case {replay}" : $"fuzz run {run}: {seeds.Count} cases");

        var current = 0;
        var failure = (string?)null;
        var work = Task.Run(() =>
        {
            foreach (var seed in seeds)
            {
                Volatile.Write(ref current, seed);
                if (Check(inputs.Make(seed)) is { } problem)
                {
                    failure = Report(seed, inputs.Make(seed), problem);
                    return;
                }
            }
        });

        if (!longRun && await Task.WhenAny(work, Task.Delay(Deadline)) != work)
        {
            var seed = Volatile.Read(ref current);
            Assert.Fail(Report(seed, inputs.Make(seed), $"still parsing after {Deadline.TotalSeconds}s"));
        }

        await work;
        Assert.True(failure is null, failure);
    }

    /// <summary>What is wrong with how the parser takes <paramref name="input"/>, or null.</summary>
    private static string? Check(byte[] input)
    {
        try
        {
            // The bytes as a file or body gives them, and as text holding whatever characters they make one by one.
            foreach (var result in new[] { DocumentParser.Parse(input, "fuzz"), DocumentParser.Parse(Encoding.Latin1.GetString(input), "fuzz") })
            {
                if (result.Documents.Count == 0 && result.Errors.Count == 0)
                {
                    return "neither documents nor errors";
                }

                if (result.Errors.FirstOrDefault(e => e.Source != "fuzz") is { } stray)
                {
                    return $"an error not naming the file: {stray}";
                }

                foreach (var document in result.Documents)
                {
                    // What the API and the CLI store in etcd, and read back.
                    var json = DocumentCodec.Write(document.Document).ToJsonString();
                    if (DocumentParser.ParseJson(json, "stored") is { IsValid: false } stored)
                    {
                        return $"{document.Document.Kind}/{document.Document.Name} written as {json} does not read back: {string.Join("; ", stored.Errors)}";
                    }
                }
            }

            DocumentParser.ParseJson(Encoding.UTF8.GetString(input), "fuzz");
            return null;
        }
        catch (Exception e)
        {
            return e.ToString();
        }
    }

    private static string Report(int seed, byte[] input, string problem)
    {
        var file = Path.Combine(Path.GetTempPath(), $"lightmesh-fuzz-{seed}.yaml");
        File.WriteAllBytes(file, input);
        return $"case {seed} (LIGHTMESH_FUZZ_SEED={seed} replays it; its input is in {file}): {problem}";
    }

    private static List<int> Seeds(int run, int count)
    {
        var random = new Random(run);
        return [.. Enumerable.Range(0, count).Select(_ => random.Next())];
    }

    /// <summary>The examples and workflows, and the hostile cases small enough to mutate often.</summary>
    private static List<byte[]> SeedFiles() =>
    [
        .. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "examples"), "*.yaml", SearchOption.AllDirectories).Order().Select(File.ReadAllBytes),
        .. HostileCorpus.All.Where(c => c.Generate is null).Select(c => c.Bytes()),
    ];
}
