using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using LightMesh.Cli.Output;

namespace LightMesh.Bench;

/// <summary>
/// Sends the run's deliveries on a fixed schedule (the N-th at N / rate seconds), at most a bounded number unanswered
/// at once. A share of them is a delivery sent before, picked at random: while it is still unanswered when there is
/// one (as a CI system retrying a slow delivery would), else one already answered (a "Redeliver" click).
/// </summary>
internal sealed class DeliveryRun(HookSender sender, ServiceRotation rotation, BenchHooksCommand.Settings settings, string runId)
{
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(10);
    private readonly Random _random = new(settings.Seed);
    private readonly List<HookDelivery> _sent = [];
    private readonly ConcurrentDictionary<string, HookDelivery> _unanswered = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<HookAnswer> _answers = [];

    /// <summary>Every answer, and how long sending took (from the first delivery to the last one sent, not answered).</summary>
    public sealed record Result(IReadOnlyList<HookAnswer> Answers, TimeSpan SendWindow);

    public async Task<Result> RunAsync(CancellationToken cancellationToken)
    {
        using var following = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var follow = rotation.FollowAsync(following.Token);
        using var slots = new SemaphoreSlim(settings.MaxInFlight);
        var inFlight = new List<Task>(settings.Total);
        var interval = 1.0 / settings.Rate;
        var started = Stopwatch.GetTimestamp();
        var progress = Stopwatch.StartNew();
        try
        {
            for (var i = 0; i < settings.Total; i++)
            {
                var wait = TimeSpan.FromSeconds(i * interval) - Stopwatch.GetElapsedTime(started);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken);
                }

                await slots.WaitAsync(cancellationToken);
                var (delivery, kind) = Pick(i);
                inFlight.Add(SendAsync(delivery, kind, slots, cancellationToken));
                if (progress.Elapsed >= ProgressEvery)
                {
                    Printer.Error($"bench: {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s: {i + 1} sent, {_answers.Count} answered");
                    progress.Restart();
                }
            }

            var window = Stopwatch.GetElapsedTime(started);
            await Task.WhenAll(inFlight);
            return new Result([.. _answers], window);
        }
        finally
        {
            await following.CancelAsync();
            await follow;
        }
    }

    private (HookDelivery Delivery, DeliveryKind Kind) Pick(int index)
    {
        if (_sent.Count > 0 && _random.NextDouble() < settings.Redeliveries)
        {
            var unanswered = _unanswered.Values.ToList();
            if (unanswered.Count > 0 && _random.Next(2) == 0)
            {
                return (unanswered[_random.Next(unanswered.Count)], DeliveryKind.Concurrent);
            }

            var earlier = _sent[_random.Next(_sent.Count)];
            return (earlier, _unanswered.ContainsKey(earlier.Id) ? DeliveryKind.Concurrent : DeliveryKind.Later);
        }

        var (service, version) = rotation.Next();
        var delivery = sender.Delivery(string.Create(CultureInfo.InvariantCulture, $"{runId}-{index:D6}"), service, version);
        _sent.Add(delivery);
        _unanswered[delivery.Id] = delivery;
        return (delivery, DeliveryKind.First);
    }

    private async Task SendAsync(HookDelivery delivery, DeliveryKind kind, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        // Yield first, so the sender's loop keeps its schedule while this request is set up.
        await Task.Yield();
        HookAnswer? answer = null;
        try
        {
            answer = await sender.SendAsync(delivery, kind, cancellationToken);
            _answers.Add(answer);
        }
        finally
        {
            if (kind == DeliveryKind.First)
            {
                _unanswered.TryRemove(delivery.Id, out _);
            }

            rotation.Answered(delivery.Service, delivery.Version, kind == DeliveryKind.First, answer?.Outcome == AnswerKind.Started);

            slots.Release();
        }
    }
}
