using LightMesh.Deployer;
using LightMesh.Etcd;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Registry;
using LightMesh.Etcd.Releases;
using LightMesh.Etcd.Scheduling;
using LightMesh.Etcd.Watching;
using LightMesh.Releases.Engine;

namespace LightMesh.Releases.Hosting;

/// <summary>What every leadership term of the release engine uses, built once per controller.</summary>
public sealed record ReleaseTermServices(
    EtcdConnection Etcd,
    DocumentStore Documents,
    ReleaseStore Releases,
    ReleaseHistory History,
    InstanceRegistry Registry,
    TrafficSteps Traffic,
    AnalysisSteps Analysis,
    WebhookCaller Webhooks,
    NodeDeployer? Deployer,
    PrefixWatcher Watcher,
    NotificationSender Notifications,
    ReleaseService Starter,
    ScheduleStore Schedules);
