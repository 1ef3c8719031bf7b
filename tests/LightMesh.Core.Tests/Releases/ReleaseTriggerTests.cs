using System.Text.Json.Nodes;
using LightMesh.Core.Documents;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;
using LightMesh.Core.Validation;

namespace LightMesh.Core.Tests.Releases;

/// <summary>The ReleaseTrigger document: strict parsing with every error at its path, round trips, and its cross-document rules.</summary>
public sealed class ReleaseTriggerTests
{
    private const string Head = "apiVersion: lightmesh.io/v1\nkind: ReleaseTrigger\nmetadata: {name: checkout}\n";

    private const string Stored = """
        apiVersion: lightmesh.io/v1
        kind: Service
        metadata: {name: checkout}
        spec:
          protocol: http
          port: 8080
          deploy: {image: ghcr.io/acme/checkout, versions: {stable: v1}}
        ---
        apiVersion: lightmesh.io/v1
        kind: ReleaseWorkflow
        metadata: {name: canary}
        spec:
          steps:
          - deploy: {}
          - promote: {}
        """;

    private static string ExampleText => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "triggers.yaml"));

    public static TheoryData<string, string, string, string> Invalid => new()
    {
        { "no-service", Head + "spec: {repository: acme/checkout}\n", "spec.service", "is required" },
        { "service-not-label", Head + "spec: {service: Check.Out, repository: acme/checkout}\n", "spec.service", "DNS-1123 label" },
        { "workflow-not-name", Head + "spec: {service: checkout, workflow: Canary_1, repository: acme/checkout}\n", "spec.workflow", "DNS-1123 subdomain" },
        { "neither", Head + "spec: {service: checkout}\n", "spec", "needs repository or image" },
        { "repository-one-segment", Head + "spec: {service: checkout, repository: checkout}\n", "spec.repository", "owner/name (GitHub) or group/subgroup/project (GitLab)" },
        { "repository-url", Head + "spec: {service: checkout, repository: 'https://github.com/acme/checkout'}\n", "spec.repository", "full name" },
        { "repository-dots", Head + "spec: {service: checkout, repository: acme/..}\n", "spec.repository", "full name" },
        { "image-tagged", Head + "spec: {service: checkout, image: 'ghcr.io/acme/checkout:v2'}\n", "spec.image", "without a tag or digest" },
        { "image-digest", Head + "spec: {service: checkout, image: 'ghcr.io/acme/checkout@sha256:abc'}\n", "spec.image", "without a tag or digest" },
        { "image-number", Head + "spec: {service: checkout, image: 7}\n", "spec.image", "must be a string" },
        { "args-number", Head + "spec: {service: checkout, repository: acme/checkout, args: {rate: 5}}\n", "spec.args.rate", "must be a string" },
        { "unknown-field", Head + "spec: {service: checkout, repo: acme/checkout}\n", "spec.repo", "unknown or unsupported field (supported here: service, workflow, repository, image, args, mode)" },
        { "branch-field", Head + "spec: {service: checkout, repository: acme/checkout, branch: main}\n", "spec.branch", "unknown or unsupported field" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Parse_InvalidTrigger_ReportsErrorAtPath(string name, string yaml, string path, string fragment)
    {
        var result = DocumentParser.Parse(yaml, $"{name}.yaml");

        Assert.Empty(result.Documents);
        Assert.Contains(result.Errors, e => e.Path == path && e.Message.Contains(fragment, StringComparison.Ordinal) && e.Document == "ReleaseTrigger/checkout");
    }

    [Fact]
    public void Parse_TriggerWithSeveralProblems_ReportsEveryOne()
    {
        var errors = DocumentParser.Parse(Head + "spec: {service: Checkout, repository: checkout, image: 'a/b:1', color: red}\n", "t.yaml").Errors.Select(e => e.ToString()).ToList();

        Assert.Equal(
            [
                "t.yaml: ReleaseTrigger/checkout: spec.color: unknown or unsupported field (supported here: service, workflow, repository, image, args, mode)",
                "t.yaml: ReleaseTrigger/checkout: spec.service: \"Checkout\" must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit)",
                "t.yaml: ReleaseTrigger/checkout: spec.repository: \"checkout\" must be a repository's full name: owner/name (GitHub) or group/subgroup/project (GitLab)",
                "t.yaml: ReleaseTrigger/checkout: spec.image: \"a/b:1\" must be an image repository without a tag or digest, like ghcr.io/acme/checkout",
            ],
            errors);
    }

    [Fact]
    public void Parse_Example_ReadsEveryField()
    {
        var result = DocumentParser.Parse(ExampleText, "triggers.yaml");

        Assert.Empty(result.Errors);
        var payments = Assert.IsType<ReleaseTrigger>(result.Documents[1].Document);
        Assert.Equal(new ReleaseTriggerSpec
        {
            Service = "payments", Workflow = "quick", Repository = "acme/platform/payments", Image = "ghcr.io/acme/payments", Args = payments.Spec.Args,
        }, payments.Spec);
        Assert.Equal("0.02", payments.Spec.Args!["max-error-rate"]);
        Assert.Equal("canary", Assert.IsType<ReleaseTrigger>(result.Documents[0].Document).Spec.EffectiveWorkflow);
    }

    [Fact]
    public void Write_Example_GivesBackTheTreeThatWasRead_AndYamlParsesBackUnchanged()
    {
        var trees = YamlTree.Parse(ExampleText, "triggers.yaml").Documents.Select(d => d.Root).ToList();
        var written = DocumentParser.Parse(ExampleText, "triggers.yaml").Documents.Select(d => DocumentCodec.Write(d.Document)).ToList();

        Assert.Equal(trees.Count, written.Count);
        for (var i = 0; i < trees.Count; i++)
        {
            Assert.True(JsonNode.DeepEquals(trees[i], written[i]), $"document {i + 1} changed:\n{trees[i]?.ToJsonString()}\n!=\n{written[i].ToJsonString()}");
        }

        var again = DocumentParser.Parse(YamlText.Write(written), "written.yaml");
        Assert.Empty(again.Errors);
        Assert.Equal(written.Select(w => w.ToJsonString()), again.Documents.Select(d => DocumentCodec.Write(d.Document).ToJsonString()));
    }

    [Theory]
    [InlineData("ReleaseTrigger")]
    [InlineData("releasetrigger")]
    [InlineData("releasetriggers")]
    [InlineData("trigger")]
    [InlineData("triggers")]
    [InlineData("rt")]
    public void TryParse_EveryAlias_IsReleaseTrigger(string text)
    {
        Assert.True(DocumentKinds.TryParse(text, out var kind));
        Assert.Equal(DocumentKind.ReleaseTrigger, kind);
        Assert.Equal("releasetriggers", DocumentKinds.PluralOf(kind));
    }

    [Fact]
    public void Matches_RepositoryOrImage_IgnoringCase()
    {
        var spec = new ReleaseTriggerSpec { Service = "checkout", Repository = "acme/checkout", Image = "ghcr.io/acme/checkout" };

        Assert.True(spec.Matches("Acme/Checkout", null));
        Assert.True(spec.Matches(null, "ghcr.io/Acme/checkout"));
        Assert.False(spec.Matches("acme/checkout-web", null));
        Assert.False(spec.Matches(null, null));
    }

    [Fact]
    public void Validate_AgainstStore_NamesAMissingServiceAndTheDefaultWorkflow()
    {
        var documents = Parse(Head + "spec: {service: cart, repository: acme/cart}\n");

        var errors = DocumentSetValidator.Validate(documents, complete: true).Select(e => $"{e.Document}: {e.Path}: {e.Message}").ToList();

        Assert.Equal(
            [
                "ReleaseTrigger/checkout: spec.service: no Service named \"cart\"",
                "ReleaseTrigger/checkout: spec.workflow: no ReleaseWorkflow named \"canary\" (the default when workflow is not given)",
            ],
            errors);
    }

    [Fact]
    public void Validate_AgainstStore_NamesAMissingWorkflowAndAnImageTheServiceDoesNotDeploy()
    {
        var documents = Parse(Stored, Head + "spec: {service: checkout, workflow: slow, image: ghcr.io/acme/cart}\n");

        var errors = DocumentSetValidator.Validate(documents, complete: true).Select(e => $"{e.Path}: {e.Message}").ToList();

        Assert.Equal(
            [
                "spec.image: \"ghcr.io/acme/cart\" is not the image Service \"checkout\" deploys (ghcr.io/acme/checkout); a release would run ghcr.io/acme/checkout:VERSION",
                "spec.workflow: no ReleaseWorkflow named \"slow\"",
            ],
            errors);
    }

    [Fact]
    public void Validate_TriggerOfStoredServiceAndWorkflow_IsValid() =>
        Assert.Empty(DocumentSetValidator.Validate(Parse(Stored, Head + "spec: {service: checkout, repository: acme/checkout, image: ghcr.io/acme/checkout}\n"), complete: true));

    [Fact]
    public void Validate_TwoTriggersOfOneRepositoryOrImage_IsAnErrorOnTheSecond_EvenOffline()
    {
        var second = "apiVersion: lightmesh.io/v1\nkind: ReleaseTrigger\nmetadata: {name: checkout-2}\nspec: {service: checkout, repository: ACME/checkout, image: ghcr.io/acme/checkout}\n";
        var documents = Parse(Head + "spec: {service: checkout, repository: acme/checkout, image: ghcr.io/acme/checkout}\n", second);

        var errors = DocumentSetValidator.Validate(documents, complete: false);

        Assert.Equal(
            [
                "f1.yaml: ReleaseTrigger/checkout-2: spec.repository: \"ACME/checkout\" already starts releases through ReleaseTrigger/checkout",
                "f1.yaml: ReleaseTrigger/checkout-2: spec.image: \"ghcr.io/acme/checkout\" already starts releases through ReleaseTrigger/checkout",
            ],
            errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Validate_Offline_DoesNotJudgeReferences() =>
        Assert.Empty(DocumentSetValidator.Validate(DocumentParser.Parse(ExampleText, "triggers.yaml").Documents, complete: false));

    private static List<SourcedDocument> Parse(params string[] yaml)
    {
        var documents = new List<SourcedDocument>();
        for (var i = 0; i < yaml.Length; i++)
        {
            var result = DocumentParser.Parse(yaml[i], $"f{i}.yaml");
            Assert.Empty(result.Errors);
            documents.AddRange(result.Documents);
        }

        return documents;
    }
}
