using System.Xml.Linq;
using LightMesh.Etcd;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace LightMesh.Host.OperatorConsole;

/// <summary>
/// ASP.NET Core Data Protection's key ring in etcd (<c>console/keys/{name}</c>), so that a console session cookie or form
/// token one controller made is accepted by every controller on the same etcd, and survives restarts. Each key is
/// written once, by a guarded create. The keys are as safe as etcd's access control keeps them, as the token hashes are:
/// the registrar's etcd user cannot read them.
/// </summary>
/// <remarks>
/// Data Protection asks synchronously and seldom (at start, when a key is made, and about once a day), so each call
/// waits for etcd for at most <see cref="Timeout"/>.
/// </remarks>
public sealed class EtcdKeyRing(EtcdConnection etcd) : IXmlRepository
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var found = Task.Run(() => etcd.RangePrefixAsync(etcd.Keys.ConsoleKeys, 0, timeout.Token), timeout.Token).GetAwaiter().GetResult();
        return [.. found.Kvs.Select(kv => XElement.Parse(kv.Value.ToStringUtf8()))];
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var key = etcd.Keys.ConsoleKey(friendlyName);
        var (created, _) = Task.Run(() => new GuardedTxn().Absent(key).Put(key, element.ToString(SaveOptions.DisableFormatting)).CommitAsync(etcd, timeout.Token), timeout.Token)
            .GetAwaiter().GetResult();
        if (!created)
        {
            throw new InvalidOperationException($"console key {friendlyName}: etcd holds one of that name already ({key})");
        }
    }
}
