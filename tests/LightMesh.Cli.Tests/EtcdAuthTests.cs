using System.Net;
using System.Runtime.Versioning;
using LightMesh.Processes;
using LightMesh.Core;
using LightMesh.Core.Mesh;
using LightMesh.Core.Parsing;
using LightMesh.Etcd;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Registry;
using LightMesh.Etcd.Security;
using LightMesh.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using static LightMesh.Cli.Tests.CliProcess;

namespace LightMesh.Cli.Tests;

/// <summary>
/// An etcd that serves TLS only, asks every client for a certificate from its CA, and on which <c>lightmesh etcd
/// init-auth</c> turned authentication on (once, for the whole class): each part of LightMesh gets only what its role allows.
/// </summary>
public sealed class SecureEtcd : IAsyncLifetime
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("lightmesh-etcd-tls-").FullName;

    public string Passwords => Path.Combine(Directory, "passwords");

    public EtcdServer Server { get; private set; } = null!;

    public string CaFile { get; private set; } = "";

    /// <summary>A client certificate whose name is no etcd user: it opens the connection, the password says who it is.</summary>
    public (string Cert, string Key) Client { get; private set; }

    /// <summary>A client certificate named lightmesh-viewer: with no password, etcd takes the certificate's name as the user.</summary>
    public (string Cert, string Key) ViewerCertificate { get; private set; }

    /// <summary>What <c>lightmesh etcd init-auth</c> returned and printed.</summary>
    public int InitAuthExitCode { get; private set; }

    public string InitAuthStdout { get; private set; } = "";

    /// <summary>Its exit code and both outputs, for an assertion's message.</summary>
    public string InitAuthReport { get; private set; } = "";

    public string PasswordFile(string user) => Path.Combine(Passwords, $"{user}.password");

    /// <summary>The prefix init-auth made the roles for; the tests share it, each with services of its own.</summary>
    public const string Prefix = "/secure/";

    public string[] TlsFlags => ["--etcd", Server.Endpoint, "--prefix", Prefix, "--etcd-ca", CaFile, "--etcd-cert", Client.Cert, "--etcd-key", Client.Key];

    public EtcdOptions Options(string prefix, string? user) => new()
    {
        Endpoints = Server.Endpoint, Prefix = prefix, CaFile = CaFile, CertFile = Client.Cert, KeyFile = Client.Key,
        Username = user, PasswordFile = user is null ? null : PasswordFile(user),
    };

    public EtcdConnection Connect(string user) => new(Options(Prefix, user), TimeProvider.System);

    public async Task InitializeAsync()
    {
        using var authority = TestCertificates.Authority("LightMesh test etcd CA");
        CaFile = TestCertificates.WritePem(authority, Directory, "ca").Cert;
        using var server = TestCertificates.Issue(authority, "etcd", "localhost", IPAddress.Loopback);
        var (serverCert, serverKey) = TestCertificates.WritePem(server, Directory, "server");
        using (var client = TestCertificates.Issue(authority, "lightmesh-test-client"))
        {
            Client = TestCertificates.WritePem(client, Directory, "client");
        }

        using (var viewer = TestCertificates.Issue(authority, EtcdRoles.Viewer))
        {
            ViewerCertificate = TestCertificates.WritePem(viewer, Directory, "viewer");
        }

        Server = await EtcdServer.StartAsync(new LocalEtcdTls(serverCert, serverKey, CaFile));
        var result = await RunAsync(["etcd", "init-auth", "--out", Passwords, .. TlsFlags]);
        (InitAuthExitCode, InitAuthStdout, InitAuthReport) = (result.ExitCode, result.Stdout, result.ToString());
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}

public sealed class EtcdAuthTests(SecureEtcd etcd) : IClassFixture<SecureEtcd>
{
    private readonly string _service = $"checkout-{Guid.NewGuid():N}"[..20];

    /// <summary>A Service and its VirtualService, named for this test alone.</summary>
    private string Checkout => TestMeshes.Join(TestMeshes.Service(_service), TestMeshes.VirtualService(_service, [TestMeshes.To(_service, name: null)]));

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void InitAuth_MakesAUserForEachRole_WithPasswordsOnlyItsOwnerReads()
    {
        Assert.True(etcd.InitAuthExitCode == 0, etcd.InitAuthReport);
        foreach (var user in new[] { EtcdRoles.Root, EtcdRoles.Controller, EtcdRoles.Registrar, EtcdRoles.Viewer })
        {
            Assert.Contains(user, etcd.InitAuthStdout, StringComparison.Ordinal);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(etcd.PasswordFile(user)));
            Assert.DoesNotContain(File.ReadAllText(etcd.PasswordFile(user)).Trim(), etcd.InitAuthStdout, StringComparison.Ordinal);
        }

        Assert.Contains("turn authentication on", etcd.InitAuthStdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InitAuth_AgainOnAnEtcdWithAuthenticationOn_ExitsTwoAndChangesNothing()
    {
        var again = Path.Combine(etcd.Directory, $"again-{Guid.NewGuid():N}");

        var result = await RunAsync(["etcd", "init-auth", "--out", again, .. etcd.TlsFlags]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("authentication is probably on already", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(again));
    }

    [Fact]
    public async Task TheController_ReadsAndWritesEverything_AndTheCliTakesItsCredentials()
    {
        var file = Path.Combine(etcd.Directory, $"{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, Checkout);

        var applied = await RunAsync(["apply", "-f", file, "--etcd-user", EtcdRoles.Controller, "--etcd-password-file", etcd.PasswordFile(EtcdRoles.Controller), .. etcd.TlsFlags]);
        var listed = await RunAsync(["get", "vs", "--etcd-user", EtcdRoles.Controller, "--etcd-password-file", etcd.PasswordFile(EtcdRoles.Controller), .. etcd.TlsFlags]);

        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Contains(_service, listed.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheController_CompactsEtcdsHistoryUnderItsRole()
    {
        using var controller = etcd.Connect(EtcdRoles.Controller);
        var key = $"{SecureEtcd.Prefix}compaction-test/{_service}";
        var before = (await PutAsync(controller, key)).Header.Revision;
        var after = (await PutAsync(controller, key)).Header.Revision;

        await controller.CompactAsync(after, physical: true, default);

        Assert.False(await EtcdHistory.ReadableAtAsync(controller, key, before));
        Assert.True(await EtcdHistory.ReadableAtAsync(controller, key, after));
    }

    [Fact]
    public async Task ARegistrar_RegistersItsInstance_ButCannotWriteARouteOrTheAdminToken()
    {
        using (var controller = etcd.Connect(EtcdRoles.Controller))
        {
            await ApplyAsync(controller, Checkout);
        }

        using var registrar = etcd.Connect(EtcdRoles.Registrar);
        var registry = new InstanceRegistry(registrar, TimeProvider.System, NullLogger<InstanceRegistry>.Instance);
        var outcome = await registry.RegisterAsync(new Instance { Service = _service, Id = "v1-1", Version = "v1", Address = "127.0.0.1", Port = 8081 }, TimeSpan.FromSeconds(10), default);
        Assert.True(outcome.Succeeded, outcome.Conflict);
        await outcome.Registration!.DisposeAsync();

        var route = await Assert.ThrowsAsync<EtcdPermissionDeniedException>(() => PutAsync(registrar, $"{SecureEtcd.Prefix}virtualservices/{_service}"));
        Assert.Contains("permission denied", route.Message, StringComparison.Ordinal);
        Assert.Contains($"user {EtcdRoles.Registrar} may not do this", route.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<EtcdPermissionDeniedException>(() => PutAsync(registrar, $"{SecureEtcd.Prefix}auth/initialadmin"));
        await Assert.ThrowsAsync<EtcdPermissionDeniedException>(() => PutAsync(registrar, $"{SecureEtcd.Prefix}services/{_service}"));
    }

    [Fact]
    public async Task AViewer_ByPasswordOrByItsCertificatesName_ReadsButCannotWrite()
    {
        using (var controller = etcd.Connect(EtcdRoles.Controller))
        {
            await ApplyAsync(controller, Checkout);
        }

        using var byPassword = etcd.Connect(EtcdRoles.Viewer);
        using var byCertificate = new EtcdConnection(
            etcd.Options(SecureEtcd.Prefix, null) with { CertFile = etcd.ViewerCertificate.Cert, KeyFile = etcd.ViewerCertificate.Key }, TimeProvider.System);
        foreach (var viewer in new[] { byPassword, byCertificate })
        {
            Assert.Contains((await new DocumentStore(viewer).ReadAsync(default)).Documents, d => d.Document.Name == _service);
            await Assert.ThrowsAsync<EtcdPermissionDeniedException>(() => PutAsync(viewer, $"{SecureEtcd.Prefix}virtualservices/{_service}"));
        }
    }

    [Fact]
    public async Task AWrongPasswordOrNoUser_IsRefusedSayingWhatToGive()
    {
        var wrong = Path.Combine(etcd.Directory, $"{Guid.NewGuid():N}.password");
        await File.WriteAllTextAsync(wrong, "not-the-password\n");
        using var impostor = new EtcdConnection(etcd.Options("/x/", EtcdRoles.Controller) with { PasswordFile = wrong }, TimeProvider.System);

        var refused = await Assert.ThrowsAsync<LightMeshException>(() => impostor.GetAsync("/x/anything", default));
        Assert.Contains($"refused user {EtcdRoles.Controller}", refused.Message, StringComparison.Ordinal);
        Assert.Contains("check the user and its password", refused.Message, StringComparison.Ordinal);

        // The certificate opens the connection; its name is no etcd user, and no other user was given.
        var anonymous = await RunAsync(["get", "vs", .. etcd.TlsFlags]);
        Assert.Equal(1, anonymous.ExitCode);
        Assert.Contains("no etcd user was given", anonymous.Stderr, StringComparison.Ordinal);
        Assert.Contains("--etcd-user", anonymous.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEtcdWhoseCertificateAnotherCaIssued_IsNotTrusted()
    {
        using var stranger = TestCertificates.Authority("another CA");
        var strangerCa = TestCertificates.WritePem(stranger, etcd.Directory, $"stranger-{Guid.NewGuid():N}").Cert;
        using var connection = new EtcdConnection(etcd.Options("/x/", EtcdRoles.Controller) with { CaFile = strangerCa, RequestTimeout = TimeSpan.FromSeconds(2) }, TimeProvider.System);

        await Assert.ThrowsAsync<EtcdUnavailableException>(() => connection.GetAsync("/x/anything", default));
    }

    [Fact]
    public async Task AController_RunsUnderItsRole_AndBecomesReady()
    {
        var api = $"http://127.0.0.1:{LoopbackPort.Free()}";
        await using var server = await StartServerAsync(
            [
                "--listen", api, "--xds-listen", $"127.0.0.1:{LoopbackPort.Free()}", "--lease-ttl", "2s",
                "--etcd-user", EtcdRoles.Controller, "--etcd-password-file", etcd.PasswordFile(EtcdRoles.Controller), .. etcd.TlsFlags,
            ],
            new Uri($"{api}/readyz"),
            new Dictionary<string, string> { ["HOME"] = etcd.Directory });

        Assert.DoesNotContain("permission denied", server.Output, StringComparison.Ordinal);
    }

    private static Task<Etcdserverpb.TxnResponse> PutAsync(EtcdConnection etcd, string key) => etcd.TxnAsync(
        new Etcdserverpb.TxnRequest { Success = { new Etcdserverpb.RequestOp { RequestPut = new Etcdserverpb.PutRequest { Key = EtcdConnection.Bytes(key), Value = EtcdConnection.Bytes("{}") } } } }, default);

    private static async Task ApplyAsync(EtcdConnection etcd, string yaml)
    {
        var parsed = DocumentParser.Parse(yaml, "test.yaml");
        Assert.Empty(parsed.Errors);
        Assert.Equal(WriteOutcome.Applied, (await new DocumentStore(etcd).ApplyAsync(parsed.Documents, default)).Outcome);
    }
}
