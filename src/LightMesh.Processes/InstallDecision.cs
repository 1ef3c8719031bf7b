namespace LightMesh.Processes;

/// <summary>What to do about the programs the local demo needs.</summary>
public enum InstallDecision
{
    /// <summary>Every program is on PATH.</summary>
    NothingMissing,

    /// <summary>Some are missing and this process runs as root: install them with apt-get.</summary>
    Install,

    /// <summary>Some are missing and only root may install them: tell the user the command.</summary>
    AskUser,
}
