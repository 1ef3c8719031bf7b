using System.Text;
using LightMesh.Host.Hooks;

namespace LightMesh.Host.Tests.Hooks;

/// <summary>Reading deliveries without a server: signatures, and what each provider's events map to.</summary>
public sealed class HookEventTests
{
    [Fact]
    public void IsSignedBy_GitHubsDocumentedExample_IsTrue_AndAnyChangeIsFalse()
    {
        // From GitHub's "Validating webhook deliveries": this secret and payload give this signature.
        const string secret = "It's a Secret to Everybody";
        var body = Encoding.UTF8.GetBytes("Hello, World!");
        const string signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

        Assert.True(HookSignatures.IsSignedBy(secret, body, signature));
        Assert.True(HookSignatures.IsSignedBy(secret, body, signature.ToUpperInvariant().Replace("SHA256=", "sha256=", StringComparison.Ordinal)));
        Assert.Equal(signature, HookSignatures.Sign(secret, body));
        Assert.False(HookSignatures.IsSignedBy(secret + "!", body, signature));
        Assert.False(HookSignatures.IsSignedBy(secret, Encoding.UTF8.GetBytes("Hello, World?"), signature));
        Assert.False(HookSignatures.IsSignedBy(secret, body, signature[..^2]));
        Assert.False(HookSignatures.IsSignedBy(secret, body, signature.Replace("sha256=", "sha1=", StringComparison.Ordinal)));
        Assert.False(HookSignatures.IsSignedBy(secret, body, "sha256=zz" + signature[9..]));
        Assert.False(HookSignatures.IsSignedBy(secret, body, null));
    }

    [Fact]
    public void IsToken_OnlyTheSameToken() =>
        Assert.Equal([true, false, false, false], new[] { "t0ken", "t0ke", "t0kenn", "" }.Select(t => HookSignatures.IsToken("t0ken", t)));

    [Theory]
    [InlineData("ghcr.io/Codertocat/hello-world:1.2.0", "ghcr.io/Codertocat/hello-world")]
    [InlineData("ghcr.io/acme/checkout:", "ghcr.io/acme/checkout")]
    [InlineData("localhost:5000/checkout", "localhost:5000/checkout")]
    [InlineData("ghcr.io/acme/checkout@sha256:abcd", "ghcr.io/acme/checkout")]
    public void ImageRepository_DropsTagAndDigest(string reference, string repository) =>
        Assert.Equal(repository, GitHubEvents.ImageRepository(reference));

    [Fact]
    public void GitHub_PublishedContainerPackage_IsItsImageAndTag()
    {
        var read = GitHubEvents.Read("registry_package", Bytes("""
            {"action": "published", "sender": {"login": "octocat"},
             "registry_package": {"name": "checkout", "package_type": "CONTAINER",
               "package_version": {"package_url": "ghcr.io/Acme/checkout:1.4.0", "container_metadata": {"tag": {"name": "1.4.0", "digest": "sha256:ab"}}}}}
            """));

        Assert.Equal((HookEventKind.Start, null, "ghcr.io/Acme/checkout", "1.4.0", "octocat"), (read.Kind, read.Repository, read.Image, read.Version, read.Sender));
    }

    [Theory]
    [InlineData("registry_package", """{"action": "updated", "registry_package": {}}""", "registry_package updated: only a published package starts a release")]
    [InlineData("package", """{"action": "published", "package": {"name": "lib", "package_version": {}}}""", "package lib is not a container image")]
    [InlineData("package", """{"action": "published", "package": {"name": "app", "package_version": {"container_metadata": {"tag": {"name": ""}}}}}""", "package app: the version has no tag")]
    [InlineData("push", "{}", "push events start no release (registry_package, package, workflow_run and deployment do)")]
    [InlineData("workflow_run", """{"action": "requested"}""", "workflow_run requested: only a completed run starts a release")]
    [InlineData("deployment", """{"action": "deleted"}""", "deployment deleted: only a created deployment starts a release")]
    public void GitHub_OtherEvents_AreIgnoredSayingWhy(string eventName, string body, string why)
    {
        var read = GitHubEvents.Read(eventName, Bytes(body));

        Assert.Equal((HookEventKind.Ignored, why), (read.Kind, read.Reason));
    }

    [Theory]
    [InlineData("github", "registry_package", """{"action": "published", "registry_package": {"package_version": {"created_at": "2026-12-05T10:00:00Z", "package_url": "ghcr.io/acme/a:1", "container_metadata": {"tag": {"name": "1"}}}}}""", "2026-12-05T10:00:00+00:00")]
    [InlineData("github", "workflow_run", """{"action": "completed", "workflow_run": {"conclusion": "success", "head_sha": "3f786850e387550f", "created_at": "2026-12-05T11:00:00Z", "head_commit": {"timestamp": "2026-12-05T10:00:00+01:00"}}, "repository": {"full_name": "acme/a"}}""", "2026-12-05T09:00:00+00:00")]
    [InlineData("github", "deployment", """{"deployment": {"sha": "3f786850e387550f", "created_at": "2026-12-05T10:00:00Z"}, "repository": {"full_name": "acme/a"}}""", "2026-12-05T10:00:00+00:00")]
    [InlineData("gitlab", "Pipeline Hook", """{"object_attributes": {"status": "success", "sha": "3f786850e387550f", "created_at": "2026-12-05 10:00:00 UTC"}, "project": {"path_with_namespace": "g/a"}}""", "2026-12-05T10:00:00+00:00")]
    [InlineData("gitlab", "Deployment Hook", """{"status": "success", "sha": "3f786850e387550f", "status_changed_at": "2026-12-05 10:00:00 UTC", "project": {"path_with_namespace": "g/a"}}""", "2026-12-05T10:00:00+00:00")]
    [InlineData("github", "workflow_run", """{"action": "completed", "workflow_run": {"conclusion": "success", "head_sha": "3f786850e387550f", "created_at": "2026-12-05"}, "repository": {"full_name": "acme/a"}}""", null)]
    [InlineData("generic", "", """{"service": "a", "version": "v1", "builtAt": "2026-12-05T10:00:00-02:00"}""", "2026-12-05T12:00:00+00:00")]
    public void BuildTime_IsReadWhereEachProviderSaysIt_AndOnlyWithAnOffset(string provider, string eventName, string body, string? builtAt)
    {
        var read = provider switch
        {
            "github" => GitHubEvents.Read(eventName, Bytes(body)),
            "gitlab" => GitLabEvents.Read(eventName, Bytes(body)),
            _ => GenericEvents.Read(Bytes(body)),
        };

        Assert.True(read.Kind == HookEventKind.Start, string.Join("; ", read.Errors) + read.Reason);
        Assert.Equal(builtAt is null ? null : DateTimeOffset.Parse(builtAt, System.Globalization.CultureInfo.InvariantCulture), read.BuiltAt);
    }

    [Theory]
    [InlineData("""{"service": "a", "version": "v1", "builtAt": "yesterday"}""")]
    [InlineData("""{"service": "a", "version": "v1", "builtAt": "2026-12-05T10:00:00"}""")]
    [InlineData("""{"service": "a", "version": "v1", "builtAt": 1764928800}""")]
    public void Generic_BuildTimeThatIsNotATimeWithAnOffset_IsInvalidNamingIt(string body)
    {
        var read = GenericEvents.Read(Bytes(body));

        Assert.Equal(HookEventKind.Invalid, read.Kind);
        Assert.StartsWith("body.builtAt: must be", Assert.Single(read.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void GitHub_Deployment_IsItsRepositoryAtTheShortSha()
    {
        var read = GitHubEvents.Read("deployment", Bytes("""
            {"action": "created", "deployment": {"ref": "main", "sha": "A1B2C3D4E5F60718293a4b5c6d7e8f9012345678"}, "repository": {"full_name": "acme/checkout"}}
            """));

        Assert.Equal((HookEventKind.Start, "acme/checkout", "a1b2c3d"), (read.Kind, read.Repository, read.Version));
    }

    [Theory]
    [InlineData(null, "{}", "X-GitHub-Event: required (the event's name)")]
    [InlineData("workflow_run", """{"action": "completed", "workflow_run": {"conclusion": "success"}}""",
        "body.repository.full_name: required (the repository, e.g. acme/checkout); body.workflow_run.head_sha: required, a commit sha")]
    [InlineData("deployment", """{"deployment": {"sha": "xyz"}, "repository": {"full_name": "a/b"}}""", "body.deployment.sha: required, a commit sha")]
    public void GitHub_MissingFields_AreInvalidNamingEach(string? eventName, string body, string errors)
    {
        var read = GitHubEvents.Read(eventName, Bytes(body));

        Assert.Equal((HookEventKind.Invalid, errors), (read.Kind, string.Join("; ", read.Errors)));
    }

    [Theory]
    [InlineData("Pipeline Hook", """{"object_attributes": {"id": 7, "status": "failed"}}""", "pipeline 7 is failed: only a successful pipeline starts a release")]
    [InlineData("Pipeline Hook", """{"object_attributes": {"id": 7, "status": "success", "ref": "dev"}, "project": {"default_branch": "main"}}""", "pipeline 7 ran on dev, not on the default branch main")]
    [InlineData("Deployment Hook", """{"status": "running", "deployment_id": 15}""", "deployment 15 is running: only a successful deployment starts a release")]
    [InlineData("Push Hook", "{}", "Push Hook events start no release (Pipeline Hook and Deployment Hook do)")]
    public void GitLab_OtherEvents_AreIgnoredSayingWhy(string eventName, string body, string why)
    {
        var read = GitLabEvents.Read(eventName, Bytes(body));

        Assert.Equal((HookEventKind.Ignored, why), (read.Kind, read.Reason));
    }

    [Fact]
    public void GitLab_SuccessfulDeployment_IsItsProjectAtEightHexDigits()
    {
        var read = GitLabEvents.Read("Deployment Hook", Bytes("""
            {"object_kind": "deployment", "status": "success", "sha": "bcbb5ec396a2c0f828686f14fac9b80b780504f2",
             "project": {"path_with_namespace": "group/sub/checkout"}, "user": {"username": "jdoe"}}
            """));

        Assert.Equal((HookEventKind.Start, "group/sub/checkout", "bcbb5ec3", "jdoe"), (read.Kind, read.Repository, read.Version, read.Sender));
    }

    [Theory]
    [InlineData("alice", "d-1", "github:alice (delivery d-1)")]
    [InlineData(null, "d-1", "github (delivery d-1)")]
    [InlineData("alice", null, "github:alice")]
    public void Actor_NamesProviderSenderAndDelivery(string? sender, string? delivery, string actor) =>
        Assert.Equal(actor, HookReceiver.Actor("github", sender, delivery));

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
