using CsCheck;
using LightMesh.Core.Documents;
using LightMesh.Core.Releases;

namespace LightMesh.Core.Tests.Releases;

/// <summary>
/// What of a workflow's receivers a reader who may not change documents sees. A failing generated case prints CsCheck's
/// seed; set <c>CsCheck_Seed</c> to replay it.
/// </summary>
public sealed class RedactionTests
{
    [Theory]
    [InlineData("https://hooks.slack.com/services/T000/B000/XXXXXXXX", "https://hooks.slack.com/…")]
    [InlineData("http://ci.example:8080/hooks/gate?token=abc", "http://ci.example:8080/…")]
    [InlineData("https://user:pass@gate.example/", "https://gate.example/…")]
    [InlineData("https://gate.example/", "https://gate.example/")]
    [InlineData("https://gate.example/#slack", "https://gate.example/…")]
    [InlineData("http://[::1]:9000/x", "http://[::1]:9000/…")]
    [InlineData("not a url", "(a URL)…")]
    public void Url_KeepsWhereTheCallGoes_AndHidesTheRest(string url, string shown) =>
        Assert.Equal(shown, Redaction.Url(url));

    private static readonly Gen<string> Secret = Gen.String[Gen.Char["a-zA-Z0-9"], 12, 24];

    [Fact]
    public void Url_NeverShowsAPathQueryOrUserInfoItWasGiven() =>
        Gen.Select(Gen.OneOf("http", "https"), Gen.OneOf("hooks.slack.com", "127.0.0.1", "ci.example"), Gen.Int[1, 65535].Nullable(), Secret, Secret.Null(), Secret.Null())
            .Sample((scheme, host, port, path, query, user) =>
            {
                var url = $"{scheme}://{(user is null ? "" : user + ":pw@")}{host}{(port is null ? "" : $":{port}")}/{path}{(query is null ? "" : $"?q={query}")}";
                var shown = Redaction.Url(url);
                return shown.StartsWith($"{scheme}://{host}", StringComparison.Ordinal)
                    && !shown.Contains(path, StringComparison.Ordinal)
                    && (query is null || !shown.Contains(query, StringComparison.Ordinal))
                    && (user is null || !shown.Contains(user, StringComparison.Ordinal));
            });

    [Fact]
    public void Document_HidesAWorkflowsReceivers_AndLeavesEverythingElse()
    {
        var workflow = new ReleaseWorkflow
        {
            ApiVersion = "lightmesh.io/v1",
            Metadata = new ObjectMeta { Name = "canary" },
            Spec = new ReleaseWorkflowSpec
            {
                Steps =
                [
                    new SetWeightStep(20),
                    new WebhookStep { Url = "https://gate.example/check?key=k1", Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer t0ken" }, Body = "{}" },
                    new PromoteStep(),
                ],
                Notifications = ["https://hooks.slack.com/services/T0/B0/s3cret"],
            },
        };

        var seen = (ReleaseWorkflow)Redaction.Document(workflow);

        var webhook = Assert.IsType<WebhookStep>(seen.Spec.Steps[1]);
        Assert.Equal(("https://gate.example/…", "…", "{}"), (webhook.Url, webhook.Headers!["Authorization"], webhook.Body));
        Assert.Equal(["https://hooks.slack.com/…"], seen.Spec.Notifications);
        Assert.Equal(workflow.Spec.Steps[0], seen.Spec.Steps[0]);
        Assert.Equal(workflow.Spec.Steps[2], seen.Spec.Steps[2]);
        Assert.Equal("canary", seen.Name);

        var template = new LightMesh.Core.Analysis.AnalysisTemplate
        {
            ApiVersion = "lightmesh.io/v1", Metadata = new ObjectMeta { Name = "t" }, Spec = new LightMesh.Core.Analysis.AnalysisTemplateSpec { Metrics = [] },
        };
        Assert.Same(template, Redaction.Document(template));
    }
}
