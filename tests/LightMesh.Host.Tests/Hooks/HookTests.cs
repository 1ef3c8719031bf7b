using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text;
using LightMesh.Core.Releases;
using LightMesh.Core;
using LightMesh.Etcd;
using LightMesh.Host.Security;
using LightMesh.Processes;
using LightMesh.Releases.Requests;
using LightMesh.Releases;
using LightMesh.Testing;

namespace LightMesh.Host.Tests.Hooks;

/// <summary>
/// The CI webhooks over HTTP against a real controller and etcd: a signed delivery starts one release however often it
/// is sent (also across a restart and at the same moment); a refused one (signature, size, body, service) starts nothing.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class HookTests(EtcdFixture etcd) : IAsyncLifetime, IDisposable
{
    private const string Sha = "3f786850e387550fdab836ed7e6dc881de23001b";

    [Fact]
    public async Task Generic_GoodSignature_Is202WithTheRelease_WhichExists()
    {
        await StartAsync();
        await ServiceAsync("alpha");

        var answer = await GenericAsync("""{"service": "alpha", "version": "v2", "workflow": "alpha-flow", "args": {"region": "eu"}}""");

        Assert.True(answer.Status == HttpStatusCode.Accepted, answer.Text);
        var release = Assert.Single(await ReleasesAsync());
        Assert.Equal(answer.Release, release.Id);
        Assert.Equal(("alpha", "v2", "alpha-flow", "generic"), (release.Service, release.Version, release.Workflow, release.StartedBy));
        Assert.Equal("eu", release.Args["region"]);
        Assert.Contains("lightmesh_webhook_deliveries_total{provider=\"generic\",outcome=\"started\"}", await MetricsAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "X-LightMesh-Signature: missing")]
    [InlineData("wrong-secret", "X-LightMesh-Signature: not the HMAC-SHA256 of the body")]
    public async Task Generic_BadOrMissingSignature_Is401_AndStartsNothing(string? secret, string named)
    {
        await StartAsync();
        await ServiceAsync("alpha");

        var answer = await GenericAsync("""{"service": "alpha", "version": "v2", "workflow": "alpha-flow"}""", secret: secret);

        Assert.True(answer.Status == HttpStatusCode.Unauthorized, answer.Text);
        Assert.Equal("application/problem+json", answer.ContentType);
        Assert.StartsWith(named, answer.Errors, StringComparison.Ordinal);
        Assert.Empty(await ReleasesAsync());
        Assert.Contains("lightmesh_webhook_deliveries_total{provider=\"generic\",outcome=\"unauthorized\"}", await MetricsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GitHub_NoSecretConfigured_RefusesEveryDeliveryWith401()
    {
        await StartAsync(new Dictionary<string, string?> { ["LightMesh:Hooks:Generic:Secret"] = GenericSecret });
        await ServiceAsync("alpha", Trigger("alpha", "acme/alpha", "workflow: alpha-flow"));

        var ping = await GitHubAsync("ping", new { zen = "Keep it logically awesome." }, "d-1");
        var run = await GitHubAsync("workflow_run", WorkflowRun("acme/alpha", "success"), "d-2");

        Assert.All([ping, run], a => Assert.True(a.Status == HttpStatusCode.Unauthorized, a.Text));
        Assert.Equal("no secret configured for github (set LightMesh:Hooks:GitHub:Secret)", run.Errors);
        Assert.Empty(await ReleasesAsync());
    }

    [Theory]
    [InlineData("{\"service\": \"alpha\", \"version\": ", "body: not valid JSON")]
    [InlineData("[1, 2]", "body: must be a JSON object")]
    [InlineData("{\"service\": \"alpha\"}", "body.version: required")]
    [InlineData("{\"service\": \"alpha\", \"version\": \"v2\", \"flow\": \"x\"}", "body.flow: unknown field (supported: service, version, image, workflow, args, builtAt)")]
    [InlineData("{\"service\": \"alpha\", \"version\": \"v2\", \"args\": {\"rate\": 5}}", "body.args.rate: must be a string")]
    public async Task Generic_MalformedBody_Is400NamingTheProblem_AndStartsNothing(string body, string named)
    {
        await StartAsync();
        await ServiceAsync("alpha");

        var answer = await GenericAsync(body, "key-1");

        Assert.True(answer.Status == HttpStatusCode.BadRequest, answer.Text);
        Assert.Contains(named, answer.Errors, StringComparison.Ordinal);
        Assert.Empty(await ReleasesAsync());
    }

    [Fact]
    public async Task Generic_ArgumentTheTemplatesDoNotDeclareOrCannotTake_Is400NamingIt_AndStartsNothing()
    {
        await StartAsync();
        await ServiceAsync("alpha");

        var undeclared = await GenericAsync("""{"service": "alpha", "version": "v2", "workflow": "alpha-flow", "args": {"zone": "eu"}}""", "key-1");
        var breakout = await GenericAsync("""{"service": "alpha", "version": "v2", "workflow": "alpha-flow", "args": {"region": "eu\"} or vector(1) or up{x=\""}}""", "key-2");

        Assert.True(undeclared.Status == HttpStatusCode.BadRequest, undeclared.Text);
        Assert.Equal("application/problem+json", undeclared.ContentType);
        Assert.Equal("args.zone: is not declared by the AnalysisTemplate workflow alpha-flow runs: alpha-check (region)", undeclared.Errors);
        Assert.True(breakout.Status == HttpStatusCode.BadRequest, breakout.Text);
        Assert.StartsWith("args.region: \"eu\\\"} or vector(1) or up{x=\\\"\" cannot go into the query of alpha-check/up", breakout.Errors, StringComparison.Ordinal);
        Assert.Empty(await ReleasesAsync());
        Assert.Contains("lightmesh_webhook_deliveries_total{provider=\"generic\",outcome=\"invalid\"}", await MetricsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generic_UnknownServiceOrBadVersion_Is400NamingIt_AndTheKeyCanBeUsedAgain()
    {
        await StartAsync();
        await ServiceAsync("alpha");

        var unknown = await GenericAsync("""{"service": "nosuch", "version": "v2"}""", "key-1");
        var badVersion = await GenericAsync("""{"service": "alpha", "version": "v1", "workflow": "alpha-flow"}""", "key-2");
        var fixedUp = await GenericAsync("""{"service": "alpha", "version": "v2", "workflow": "alpha-flow"}""", "key-1");

        Assert.True(unknown.Status == HttpStatusCode.BadRequest, unknown.Text);
        Assert.Equal("service: no Service named \"nosuch\"; lightmesh get services lists them, and apply -f adds one; workflow: no ReleaseWorkflow named \"canary\"; stored: alpha-flow", unknown.Errors);
        Assert.True(badVersion.Status == HttpStatusCode.BadRequest, badVersion.Text);
        Assert.Equal("version: v1 is already the stable version of alpha", badVersion.Errors);
        Assert.True(fixedUp.Status == HttpStatusCode.Accepted, fixedUp.Text);
        Assert.Equal(fixedUp.Release, Assert.Single(await ReleasesAsync()).Id);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Generic_BodyOverTheLimit_Is413_AndStartsNothing_WithOrWithoutContentLength(bool chunked)
    {
        var settings = Secrets;
        settings["LightMesh:Hooks:MaxBodyBytes"] = "256";
        await StartAsync(settings);
        await ServiceAsync("alpha");
        var body = Encoding.UTF8.GetBytes($$$"""{"service": "alpha", "version": "v2", "workflow": "alpha-flow", "args": {"pad": "{{{new string('x', 300)}}}"}}""");

        var answer = await PostAsync("generic", body, h => h["X-LightMesh-Signature"] = Signature(GenericSecret, body), chunked);

        Assert.True(answer.Status == HttpStatusCode.RequestEntityTooLarge, answer.Text);
        Assert.Equal("body: larger than 256 bytes (LightMesh:Hooks:MaxBodyBytes)", answer.Errors);
        Assert.Empty(await ReleasesAsync());
    }

    [Fact]
    public async Task Generic_SameIdempotencyKey_GivesTheSameRelease_AlsoAfterARestart_AndStartsOne()
    {
        await StartAsync();
        await ServiceAsync("alpha");
        const string body = """{"service": "alpha", "version": "v2", "workflow": "alpha-flow"}""";

        var first = await GenericAsync(body, "build-42/deploy");
        var again = await GenericAsync(body, "build-42/deploy");
        await StartAsync();
        var afterRestart = await GenericAsync(body, "build-42/deploy");

        Assert.True(first.Status == HttpStatusCode.Accepted, first.Text);
        Assert.All([again, afterRestart], a =>
        {
            Assert.True(a.Status == HttpStatusCode.Accepted, a.Text);
            Assert.Equal(first.Release, a.Release);
            Assert.True(a.Body.GetProperty("duplicate").GetBoolean());
        });
        var release = Assert.Single(await ReleasesAsync());
        Assert.Equal("generic (delivery build-42/deploy)", release.StartedBy);
        Assert.Contains("lightmesh_webhook_deliveries_total{provider=\"generic\",outcome=\"duplicate\"}", await MetricsAsync(), StringComparison.Ordinal);
    }

    /// <summary>A delivery's record names its release from the moment the release exists: both are written in one transaction.</summary>
    [Fact]
    public async Task Generic_Started_RecordsTheDeliveryInTheReleasesOwnTransaction()
    {
        await StartAsync();
        await ServiceAsync("alpha");

        var answer = await GenericAsync("""{"service": "alpha", "version": "v2", "workflow": "alpha-flow"}""", "build-43");

        Assert.True(answer.Status == HttpStatusCode.Accepted, answer.Text);
        using var connection = etcd.Connect(_prefix);
        var record = Assert.Single((await connection.GetAsync(connection.Keys.HookDelivery("generic", "build-43"), default)).Kvs);
        var release = Assert.Single((await connection.GetAsync(connection.Keys.Release(answer.Release!), default)).Kvs);
        Assert.Equal(release.ModRevision, record.ModRevision);
        Assert.Equal(answer.Release, JsonDocument.Parse(record.Value.ToStringUtf8()).RootElement.GetProperty("release").GetString());
    }

    [Fact]
    public async Task Generic_SameKeySentFiveTimesAtOnce_AllGetTheOneRelease()
    {
        await StartAsync();
        await ServiceAsync("alpha");

        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => GenericAsync("""{"service": "alpha", "version": "v2", "workflow": "alpha-flow"}""", "same")));

        Assert.All(answers, a => Assert.True(a.Status == HttpStatusCode.Accepted, a.Text));
        var release = Assert.Single(await ReleasesAsync());
        Assert.All(answers, a => Assert.Equal(release.Id, a.Release));
    }

    [Fact]
    public async Task Generic_ClaimLeftPendingByACrash_IsTakenOver_AndFindsTheReleaseItHadStarted()
    {
        await StartAsync();
        await ServiceAsync("alpha");

        // What a controller that died between starting the release and recording it leaves: a stale claim, and the release.
        var started = await Server.Releases.StartAsync(new StartRequest { Service = "alpha", Version = "v2", Workflow = "alpha-flow", Actor = "generic (delivery crashed)" }, default);
        using var connection = etcd.Connect(_prefix);
        var key = new KeyLayout(_prefix).HookDelivery("generic", "crashed");
        var stale = $$"""{"release": null, "at": "{{DateTimeOffset.UtcNow.AddMinutes(-5):O}}", "actor": "generic (delivery crashed)"}""";
        Assert.True((await new GuardedTxn().Put(key, stale).CommitAsync(connection, default)).Succeeded);

        var answer = await GenericAsync("""{"service": "alpha", "version": "v2", "workflow": "alpha-flow"}""", "crashed");

        Assert.True(answer.Status == HttpStatusCode.Accepted, answer.Text);
        Assert.Equal(started.Release!.Id, answer.Release);
        Assert.Single(await ReleasesAsync());
        Assert.Contains(started.Release.Id, (await connection.GetAsync(key, default)).Kvs[0].Value.ToStringUtf8(), StringComparison.Ordinal);
    }

    private static readonly string Pair = TestMeshes.PairGroup("alpha", "beta");

    private const string PairBody = """{"group": "pair", "releases": [{"service": "alpha", "version": "v2"}, {"service": "beta", "version": "v4"}]}""";

    /// <summary>
    /// The generic hook with <c>group</c> and a list of service/version pairs starts one group release per delivery (a
    /// redelivery answers it); while it runs, a delivery for one of its services alone, or another group of them, is 409.
    /// </summary>
    [Fact]
    public async Task Generic_GroupRelease_StartsOneGroupPerDelivery_AndItsServicesAreBusyMeanwhile()
    {
        await StartAsync();
        await ServiceAsync("alpha");
        await ServiceAsync("beta", Pair);

        var first = await GenericAsync(PairBody, "build-7");
        var again = await GenericAsync(PairBody, "build-7");

        Assert.True(first.Status == HttpStatusCode.Accepted, first.Text);
        var id = first.Body.GetProperty("group").GetString()!;
        Assert.True(again.Status == HttpStatusCode.Accepted, again.Text);
        Assert.Equal((id, true), (again.Body.GetProperty("group").GetString(), again.Body.GetProperty("duplicate").GetBoolean()));
        var group = Assert.Single(await Server.Groups.ListAsync(default));
        Assert.Equal((id, "pair", "generic (delivery build-7)"), (group.Id, group.Workflow, group.Actor));
        Assert.Equal(["alpha v2", "beta v4"], group.Members.Select(m => $"{m.Service} {m.Version}"));

        var lone = await GenericAsync("""{"service": "beta", "version": "v5", "workflow": "beta-flow"}""", "build-8");
        Assert.True(lone.Status == HttpStatusCode.Conflict, lone.Text);
        Assert.Contains($"service beta is a member of group release {id}", lone.Errors, StringComparison.Ordinal);
        var other = await GenericAsync(PairBody, "build-9");
        Assert.True(other.Status == HttpStatusCode.Conflict, other.Text);
        Assert.Contains($"service alpha is a member of group release {id}", other.Errors, StringComparison.Ordinal);
        Assert.Single(await Server.Groups.ListAsync(default));
        Assert.Empty(await ReleasesAsync());
    }

    [Theory]
    [InlineData("""{"group": "pair", "releases": [{"service": "alpha", "version": "v2"}], "service": "alpha"}""", "body.service: not with group")]
    [InlineData("""{"group": "pair"}""", "body.releases: required with group")]
    [InlineData("""{"group": "pair", "releases": [{"service": "alpha"}, {"service": "beta", "version": "v4", "image": "x"}]}""", "body.releases[0].version: required; body.releases[1].image: unknown field")]
    [InlineData("""{"group": "pair", "releases": [{"service": "alpha", "version": "v2"}, {"service": "alpha", "version": "v3"}]}""", "body.releases[1].service: alpha is given twice")]
    [InlineData("""{"group": "pair", "releases": [{"service": "alpha", "version": "v2"}]}""", "versions.beta: no version given")]
    [InlineData("""{"group": "nope", "releases": [{"service": "alpha", "version": "v2"}]}""", "workflow: no ReleaseGroupWorkflow named \"nope\"")]
    public async Task Generic_BadGroupDelivery_Is400NamingWhatAndWhere_AndStartsNothing(string body, string named)
    {
        await StartAsync();
        await ServiceAsync("alpha");
        await ServiceAsync("beta", Pair);

        var answer = await GenericAsync(body, "bad");

        Assert.True(answer.Status == HttpStatusCode.BadRequest, answer.Text);
        Assert.Contains(named, answer.Errors, StringComparison.Ordinal);
        Assert.Empty(await Server.Groups.ListAsync(default));
    }

    [Fact]
    public async Task Generic_GroupClaimLeftPendingByACrash_IsTakenOver_AndAnswersTheGroupItHadStarted()
    {
        await StartAsync();
        await ServiceAsync("alpha");
        await ServiceAsync("beta", Pair);

        // What a controller that died between starting the group and recording it leaves: a stale claim, and the group.
        var versions = new Dictionary<string, string> { ["alpha"] = "v2", ["beta"] = "v4" };
        var started = await Server.Groups.StartAsync("pair", versions, "generic (delivery crashed)", default, ReleaseGroups.IdFor("pair", "generic/crashed"));
        using var connection = etcd.Connect(_prefix);
        var key = new KeyLayout(_prefix).HookDelivery("generic", "crashed");
        var stale = $$"""{"release": null, "at": "{{DateTimeOffset.UtcNow.AddMinutes(-5):O}}", "actor": "generic (delivery crashed)"}""";
        Assert.True((await new GuardedTxn().Put(key, stale).CommitAsync(connection, default)).Succeeded);

        var answer = await GenericAsync(PairBody, "crashed");

        Assert.True(answer.Status == HttpStatusCode.Accepted, answer.Text);
        Assert.Equal(started.Group!.Id, answer.Body.GetProperty("group").GetString());
        Assert.Single(await Server.Groups.ListAsync(default));
        Assert.Contains(started.Group.Id, (await connection.GetAsync(key, default)).Kvs[0].Value.ToStringUtf8(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generic_AnotherReleaseActive_Is409()
    {
        await StartAsync();
        await ServiceAsync("alpha");

        var first = await GenericAsync("""{"service": "alpha", "version": "v2", "workflow": "alpha-flow"}""");
        var second = await GenericAsync("""{"service": "alpha", "version": "v3", "workflow": "alpha-flow"}""", "other");

        Assert.True(first.Status == HttpStatusCode.Accepted, first.Text);
        Assert.True(second.Status == HttpStatusCode.Conflict, second.Text);
        Assert.StartsWith($"service alpha has an active release {first.Release}", second.Errors, StringComparison.Ordinal);
        Assert.Single(await ReleasesAsync());
    }

    [Fact]
    public async Task GitHub_AnnounceTrigger_RecordsTheVersion_AndStartsNothing()
    {
        await StartAsync();
        await ServiceAsync("alpha", Trigger("alpha", "acme/alpha", "workflow: alpha-flow\n  mode: announce"));

        var answer = await GitHubAsync("workflow_run", WorkflowRun("acme/alpha", "success"), "d-1");

        Assert.True(answer.Status == HttpStatusCode.Accepted, answer.Text);
        Assert.Equal(Sha[..7], answer.Body.GetProperty("announced").GetProperty("version").GetString());
        Assert.Empty(await ReleasesAsync());
        using var connection = etcd.Connect(_prefix);
        var announced = await new Etcd.Scheduling.ScheduleStore(connection).AnnouncementAsync("alpha", default);
        Assert.Equal(("alpha", Sha[..7], "github:octocat (delivery d-1)"), (announced!.Service, announced.Version, announced.Source));
    }

    [Fact]
    public async Task GitHub_AnnounceTrigger_RedeliveryAnnouncesNothingAgain_AndAnOlderBuildNeverReplacesANewerOne()
    {
        await StartAsync();
        await ServiceAsync("alpha", Trigger("alpha", "acme/alpha", "workflow: alpha-flow\n  mode: announce"));
        const string newer = "9c1185a5c5e9fc54612808977ee8f548b2258d31";

        var first = await GitHubAsync("workflow_run", WorkflowRun("acme/alpha", "success", built: "2026-12-05T10:00:00Z"), "d-1");
        var second = await GitHubAsync("workflow_run", WorkflowRun("acme/alpha", "success", built: "2026-12-05T11:00:00Z", sha: newer), "d-2");
        var redelivered = await GitHubAsync("workflow_run", WorkflowRun("acme/alpha", "success", built: "2026-12-05T10:00:00Z"), "d-1");
        var olderBuild = await GitHubAsync("workflow_run", WorkflowRun("acme/alpha", "success", built: "2026-12-05T10:30:00Z"), "d-3");

        Assert.True(first.Status == HttpStatusCode.Accepted && second.Status == HttpStatusCode.Accepted, first.Text + second.Text);
        Assert.True(redelivered.Status == HttpStatusCode.Accepted, redelivered.Text);
        Assert.True(redelivered.Body.GetProperty("duplicate").GetBoolean());
        Assert.Equal(Sha[..7], redelivered.Body.GetProperty("announced").GetProperty("version").GetString());
        Assert.True(olderBuild.Status == HttpStatusCode.Conflict, olderBuild.Text);
        Assert.Equal(
            $"alpha {Sha[..7]} (built 2026-12-05T10:30:00.0000000+00:00) is older than the announced {newer[..7]} (built 2026-12-05T11:00:00.0000000+00:00); the announcement is kept",
            olderBuild.Errors);
        using var connection = etcd.Connect(_prefix);
        var announced = await new Etcd.Scheduling.ScheduleStore(connection).AnnouncementAsync("alpha", default);
        Assert.Equal((newer[..7], "github:octocat (delivery d-2)"), (announced!.Version, announced.Source));
        Assert.Empty(await ReleasesAsync());
    }

    [Fact]
    public async Task Generic_DuringAFreeze_Is409NamingTheFreeze_StartsNothing_ButAnnouncesTheVersion()
    {
        await StartAsync();
        var now = DateTimeOffset.UtcNow;
        await ServiceAsync("alpha", $"apiVersion: lightmesh.io/v1\nkind: DeliveryWindow\nmetadata: {{name: year-end}}\nspec: {{type: freeze, start: '{now.AddMinutes(-1):O}', end: '{now.AddHours(1):O}'}}\n");

        var answer = await GenericAsync("""{"service": "alpha", "version": "v2", "workflow": "alpha-flow"}""", "frozen-1");

        Assert.True(answer.Status == HttpStatusCode.Conflict, answer.Text);
        Assert.StartsWith("freeze: no release of alpha starts during freeze year-end until", answer.Errors, StringComparison.Ordinal);
        Assert.Empty(await ReleasesAsync());
        using var connection = etcd.Connect(_prefix);
        Assert.Equal("v2", (await new Etcd.Scheduling.ScheduleStore(connection).AnnouncementAsync("alpha", default))?.Version);
    }

    /// <summary>
    /// A delivery's version is announced before its release starts: when the announcement cannot be written, nothing
    /// starts, so no release is ever left without the announcement a Schedule goes by.
    /// </summary>
    [Fact]
    public async Task Generic_AnnouncementCannotBeWritten_StartsNothing()
    {
        await StartAsync();
        await ServiceAsync("alpha");
        using var connection = etcd.Connect(_prefix);
        Assert.True((await new GuardedTxn().Put(connection.Keys.Announcement("alpha"), "not an announcement").CommitAsync(connection, default)).Succeeded);

        var answer = await GenericAsync("""{"service": "alpha", "version": "v2", "workflow": "alpha-flow"}""", "unannounced-1");

        Assert.Equal(HttpStatusCode.InternalServerError, answer.Status);
        Assert.Empty(await ReleasesAsync());
    }

    [Fact]
    public async Task GitHub_SuccessfulWorkflowRun_ReleasesTheTriggersServiceAndWorkflow_CheckingTheSignature()
    {
        await StartAsync();
        await ServiceAsync("alpha", Trigger("alpha", "acme/alpha", "workflow: alpha-flow\n  args: {region: eu}"));

        var forged = await GitHubAsync("workflow_run", WorkflowRun("Acme/Alpha", "success"), "d-0", secret: "guess");
        var answer = await GitHubAsync("workflow_run", WorkflowRun("Acme/Alpha", "success"), "d-1");
        var ping = await GitHubAsync("ping", new { zen = "Design for failure." }, "d-2");

        Assert.True(forged.Status == HttpStatusCode.Unauthorized, forged.Text);
        Assert.True(answer.Status == HttpStatusCode.Accepted, answer.Text);
        var release = Assert.Single(await ReleasesAsync());
        Assert.Equal(answer.Release, release.Id);
        Assert.Equal(("alpha", Sha[..7], "alpha-flow", "github:octocat (delivery d-1)"), (release.Service, release.Version, release.Workflow, release.StartedBy));
        Assert.Equal("eu", release.Args["region"]);
        Assert.True(ping.Status == HttpStatusCode.OK, ping.Text);
    }

    [Theory]
    [InlineData("failure", "main", "workflow_run \"ci\" concluded failure: only a successful run starts a release")]
    [InlineData("success", "feature-x", "workflow_run \"ci\" ran on feature-x, not on the default branch main")]
    public async Task GitHub_FailedOrBranchWorkflowRun_IsIgnoredWith202_AndStartsNothing(string conclusion, string branch, string why)
    {
        await StartAsync();
        await ServiceAsync("alpha", Trigger("alpha", "acme/alpha", "workflow: alpha-flow"));

        var answer = await GitHubAsync("workflow_run", WorkflowRun("acme/alpha", conclusion, branch), "d-1");

        Assert.True(answer.Status == HttpStatusCode.Accepted, answer.Text);
        Assert.Equal(why, answer.Body.GetProperty("ignored").GetString());
        Assert.Empty(await ReleasesAsync());
    }

    [Fact]
    public async Task GitHub_RunOfARepositoryWithoutTrigger_Is400NamingTheRepository()
    {
        await StartAsync();
        await ServiceAsync("alpha", Trigger("alpha", "acme/alpha", "workflow: alpha-flow"));

        var answer = await GitHubAsync("workflow_run", WorkflowRun("acme/other", "success"), "d-1");

        Assert.True(answer.Status == HttpStatusCode.BadRequest, answer.Text);
        Assert.Equal("no ReleaseTrigger matches repository acme/other", answer.Errors);
        Assert.Empty(await ReleasesAsync());
    }

    [Fact]
    public async Task GitHub_PublishedImageTag_ReleasesTheServiceOfTheImagesTrigger()
    {
        await StartAsync();
        await ServiceAsync("alpha", "apiVersion: lightmesh.io/v1\nkind: ReleaseTrigger\nmetadata: {name: alpha-image}\nspec: {service: alpha, workflow: alpha-flow, image: ghcr.io/acme/alpha}\n");
        var package = new
        {
            action = "published",
            registry_package = new
            {
                name = "alpha",
                package_version = new { package_url = "ghcr.io/Acme/alpha:1.4.0", container_metadata = new { tag = new { name = "1.4.0" } } },
            },
            sender = new { login = "octocat" },
        };

        var answer = await GitHubAsync("registry_package", package, "d-1");

        Assert.True(answer.Status == HttpStatusCode.Accepted, answer.Text);
        var release = Assert.Single(await ReleasesAsync());
        Assert.Equal(("alpha", "1.4.0", "alpha-flow"), (release.Service, release.Version, release.Workflow));
    }

    [Fact]
    public async Task Generic_IdempotencyKeyTooLong_Is400NamingTheHeader()
    {
        await StartAsync();
        await ServiceAsync("alpha");

        var answer = await GenericAsync("""{"service": "alpha", "version": "v2", "workflow": "alpha-flow"}""", new string('k', 201));

        Assert.True(answer.Status == HttpStatusCode.BadRequest, answer.Text);
        Assert.Equal("Idempotency-Key: must be at most 200 printable characters", answer.Errors);
        Assert.Empty(await ReleasesAsync());
    }

    [Fact]
    public async Task GitLab_SuccessfulPipeline_StartsARelease_AndAWrongTokenIsRefused()
    {
        await StartAsync();
        await ServiceAsync("gamma", "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: canary}\nspec:\n  steps:\n  - deploy: {}\n  - promote: {}\n");
        await ServiceAsync("beta", Trigger("beta", "group/sub/beta"));
        var pipeline = new
        {
            object_kind = "pipeline",
            object_attributes = new { id = 31, @ref = "main", tag = false, sha = Sha, status = "success" },
            project = new { path_with_namespace = "group/sub/beta", default_branch = "main" },
            user = new { username = "jdoe" },
        };

        var wrong = await GitLabAsync("Pipeline Hook", pipeline, "e-1", token: "nope");
        var answer = await GitLabAsync("Pipeline Hook", pipeline, "e-1");

        Assert.True(wrong.Status == HttpStatusCode.Unauthorized, wrong.Text);
        Assert.True(answer.Status == HttpStatusCode.Accepted, answer.Text);
        var release = Assert.Single(await ReleasesAsync());
        Assert.Equal(("beta", Sha[..8], "canary", "gitlab:jdoe (delivery e-1)"), (release.Service, release.Version, release.Workflow, release.StartedBy));
    }

    [Fact]
    public async Task Start_BadHookSettings_FailsNamingEveryKey()
    {
        var settings = Secrets;
        settings["LightMesh:Hooks:MaxBodyBytes"] = "0";
        settings["LightMesh:Hooks:GitHub:Secrt"] = "typo";
        _api = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}");

        var error = await Assert.ThrowsAsync<InvalidInputException>(() =>
            ControllerServer.StartAsync(new EtcdOptions { Endpoints = etcd.Endpoint, Prefix = _prefix }, Options(settings), null, default));

        Assert.Contains("LightMesh:Hooks:MaxBodyBytes: 0 must be 1..16777216 bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("LightMesh:Hooks:GitHub:Secrt: not a setting; LightMesh:Hooks:GitHub has Secret", error.Message, StringComparison.Ordinal);
    }

    private static string Trigger(string service, string repository, string? more = null) => $"""
        apiVersion: lightmesh.io/v1
        kind: ReleaseTrigger
        metadata:
          name: {service}
        spec:
          service: {service}
          repository: {repository}
          {more ?? ""}
        """;

    private static object WorkflowRun(string repository, string conclusion, string branch = "main", string? built = null, string sha = Sha) => new
    {
        action = "completed",
        workflow_run = new { name = "ci", conclusion, head_branch = branch, head_sha = sha, head_commit = new { timestamp = built } },
        repository = new { full_name = repository, default_branch = "main" },
        sender = new { login = "octocat" },
    };

    // The controller each hook test posts to: an API-only controller (no release engine, so a started release stays recorded and active) on its own prefix, restartable on that prefix, with the hook secrets in its configuration.

    private const string GitHubSecret = "It's a Secret to Everybody";
    private const string GitLabToken = "gitlab-token-1234";
    private const string GenericSecret = "generic-secret-5678";

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly string _prefix = etcd.NewPrefix();
    private ControllerServer? _server;
    private Uri? _api;

    private ControllerServer Server => _server!;

    private static Dictionary<string, string?> Secrets => new()
    {
        ["LightMesh:Hooks:GitHub:Secret"] = GitHubSecret,
        ["LightMesh:Hooks:GitLab:Token"] = GitLabToken,
        ["LightMesh:Hooks:Generic:Secret"] = GenericSecret,
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public void Dispose() => _http.Dispose();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>Starts (or restarts) the controller on this test's prefix with these hook settings.</summary>
    private async Task StartAsync(IReadOnlyDictionary<string, string?>? hookSettings = null)
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _server = null;
        _api = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}");
        _server = await ControllerServer.StartAsync(new EtcdOptions { Endpoints = etcd.Endpoint, Prefix = _prefix }, Options(hookSettings ?? Secrets), null, default);
    }

    private ControllerOptions Options(IReadOnlyDictionary<string, string?> hookSettings)
    {
        var settings = ControllerHarness.TokenSettings(0, "test", Roles.Admin, ControllerHarness.Token);
        foreach (var (key, value) in hookSettings)
        {
            settings[key] = value;
        }

        return new ControllerOptions
        {
            Listen = _api!.ToString().TrimEnd('/'),
            XdsListen = $"127.0.0.1:{LoopbackPort.Free()}",
            RunReleases = false,
            Engine = new ReleaseEngineOptions { Candidate = $"test-{Guid.NewGuid():N}" },
            Settings = settings,
        };
    }

    /// <summary>
    /// A Service whose DestinationRule says v1 is stable, and a workflow named <c>{service}-flow</c> whose analysis
    /// template <c>{service}-check</c> declares the argument <c>region</c>; <paramref name="extra"/> documents are applied with them.
    /// </summary>
    private async Task ServiceAsync(string service, string? extra = null)
    {
        var template = TestMeshes.RegionTemplate($"{service}-check");
        var yaml = ControllerHarness.ServiceDocuments(service, $"  - deploy: {{}}\n  - pause: {{}}\n  - analysis: {{templates: [{service}-check]}}\n  - promote: {{}}") + "\n---\n" + template;
        using var connection = etcd.Connect(_prefix);
        await ControllerHarness.ApplyAsync(connection, extra is null ? yaml : $"{yaml}\n---\n{extra}");
    }

    private Task<List<ReleaseState>> ReleasesAsync() => Server.Releases.AllAsync();

    private static string Signature(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    private Task<Answer> GenericAsync(string body, string? idempotencyKey = null, string? secret = GenericSecret) =>
        PostAsync("generic", Encoding.UTF8.GetBytes(body), headers =>
        {
            if (secret is not null)
            {
                headers["X-LightMesh-Signature"] = Signature(secret, Encoding.UTF8.GetBytes(body));
            }

            if (idempotencyKey is not null)
            {
                headers["Idempotency-Key"] = idempotencyKey;
            }
        });

    private Task<Answer> GitHubAsync(string eventName, object payload, string delivery, string secret = GitHubSecret)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(payload);
        return PostAsync("github", body, headers =>
        {
            headers["X-GitHub-Event"] = eventName;
            headers["X-GitHub-Delivery"] = delivery;
            headers["X-Hub-Signature-256"] = Signature(secret, body);
        });
    }

    private Task<Answer> GitLabAsync(string eventName, object payload, string eventId, string token = GitLabToken) =>
        PostAsync("gitlab", JsonSerializer.SerializeToUtf8Bytes(payload), headers =>
        {
            headers["X-Gitlab-Event"] = eventName;
            headers["X-Gitlab-Event-UUID"] = eventId;
            headers["X-Gitlab-Token"] = token;
        });

    private async Task<Answer> PostAsync(string provider, byte[] body, Action<Dictionary<string, string>> headers, bool chunked = false)
    {
        var given = new Dictionary<string, string>();
        headers(given);
        using HttpContent content = chunked ? new StreamContent(new UnseekableStream(body)) : new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_api!, $"api/v1/hooks/{provider}")) { Content = content };
        foreach (var (name, value) in given)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Answer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), text);
    }

    private async Task<string> MetricsAsync() => await _http.GetStringAsync(new Uri(_api!, "metrics"));

    /// <summary>An answer: status, content type, body as JSON, and as text for failure messages.</summary>
    private sealed record Answer(HttpStatusCode Status, string? ContentType, JsonElement Body, string Text)
    {
        public string Release => Body.GetProperty("release").GetString()!;

        /// <summary>The problem's errors, joined, for asserting what it names.</summary>
        public string Errors => string.Join("; ", Body.GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
    }

    /// <summary>A body without a known length, so the client sends it chunked, with no Content-Length.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
