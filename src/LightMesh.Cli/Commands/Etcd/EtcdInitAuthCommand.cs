using System.ComponentModel;
using LightMesh.Cli.Output;
using LightMesh.Core;
using LightMesh.Etcd.Security;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands.Etcd;

/// <summary>
/// <c>lightmesh etcd init-auth</c>: turns on etcd's authentication for LightMesh, once, on an etcd without it: the
/// roles of <see cref="EtcdRoles"/>, a user for each and etcd's root user, each password in a file of its own.
/// </summary>
public sealed class EtcdInitAuthCommand : AsyncCommand<EtcdInitAuthCommand.Settings>
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode DirectoryMode = OwnerOnly | UnixFileMode.UserExecute;

    public sealed class Settings : GlobalSettings
    {
        [CommandOption("--out <DIR>")]
        [Description("Where each user's password is written, as USER.password readable by this user only. Required; the directory must not hold them already")]
        public string Out { get; init; } = "";

        public override ValidationResult Validate() =>
            Out.Length == 0 ? ValidationResult.Error("--out: is required (a directory for the users' password files)") : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var etcd = settings.Connect();
        var setup = new EtcdAuthSetup(etcd);
        var users = EtcdAuthSetup.NewUsers();
        await setup.CheckFreshAsync(users, cancellationToken);

        // The passwords are on disk before etcd knows them: a failure after this leaves no user whose password is lost.
        var files = WritePasswords(settings.Out, users);
        await setup.ApplyAsync(users, new Progress<string>(step => Printer.Line($"  {step}")), cancellationToken);

        Printer.Line($"etcd at {etcd.Options.Endpoints} now asks every client who it is. Users (passwords in {Path.GetFullPath(settings.Out)}):");
        var roles = EtcdRoles.For(etcd.Keys).ToDictionary(r => r.Name, r => r.Purpose, StringComparer.Ordinal);
        Printer.Table(["USER", "PASSWORD FILE", "MAY"], users.Select(u => (IReadOnlyList<string>)[u.Name, files[u.Name], roles.GetValueOrDefault(u.Role, "everything: users, roles, authentication")]));
        Printer.Line($"Next: lightmesh server --etcd-user {EtcdRoles.Controller} --etcd-password-file {files[EtcdRoles.Controller]}; the CLI takes the same flags (or LIGHTMESH_ETCD_USER and LIGHTMESH_ETCD_PASSWORD).");
        return ExitCodes.Ok;
    }

    private static Dictionary<string, string> WritePasswords(string directory, IReadOnlyList<EtcdUser> users)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("init-auth writes password files readable by their owner only, which needs Unix file modes");
        }

        var files = users.ToDictionary(u => u.Name, u => Path.Combine(directory, $"{u.Name}.password"), StringComparer.Ordinal);
        if (files.Values.FirstOrDefault(File.Exists) is { } existing)
        {
            throw new InvalidInputException($"--out {directory}: {existing} exists already; init-auth writes new passwords and never replaces one");
        }

        try
        {
            Directory.CreateDirectory(directory, DirectoryMode);
            foreach (var user in users)
            {
                using var stream = new FileStream(files[user.Name], new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly });
                using var writer = new StreamWriter(stream);
                writer.WriteLine(user.Password);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"--out {directory}: cannot write the password files: {e.Message}; nothing was changed in etcd");
        }

        return files;
    }
}
