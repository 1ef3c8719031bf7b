namespace LightMesh.Testing;

/// <summary>Waits for a condition by polling it until a deadline: how tests wait, instead of sleeping.</summary>
public static class Poll
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        T last;
        do
        {
            last = await probe();
            if (done(last))
            {
                return last;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);

        throw new TimeoutException($"timed out after {timeout} waiting for {what}; last value: {last}");
    }
}
