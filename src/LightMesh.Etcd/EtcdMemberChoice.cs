namespace LightMesh.Etcd;

/// <summary>Which etcd member calls move on to when one fails them: a pure rule over how long ago each member last failed.</summary>
public static class EtcdMemberChoice
{
    /// <summary>
    /// The member after <paramref name="failed"/> (in the order given) that has not failed within <paramref name="avoid"/>;
    /// when every other member has, the one whose last failure is the oldest (a member that is back is found again that way).
    /// </summary>
    /// <param name="sinceFailure">For each member, how long ago it last failed a call; null if it never did.</param>
    public static int Next(int failed, IReadOnlyList<TimeSpan?> sinceFailure, TimeSpan avoid)
    {
        var count = sinceFailure.Count;
        var oldest = failed;
        for (var step = 1; step < count; step++)
        {
            var candidate = (failed + step) % count;
            if (sinceFailure[candidate] is not { } since || since >= avoid)
            {
                return candidate;
            }

            if (oldest == failed || since > sinceFailure[oldest])
            {
                oldest = candidate;
            }
        }

        return oldest;
    }
}
