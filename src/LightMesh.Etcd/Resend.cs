namespace LightMesh.Etcd;

/// <summary>Whether a call whose answer was lost (it may have been applied) may be made again on another member.</summary>
internal enum Resend
{
    /// <summary>Never: it changes something, and could be applied twice.</summary>
    Never,

    /// <summary>Once: a second application would fail its own guard (<see cref="TxnResend"/>).</summary>
    Once,

    /// <summary>Always: it changes nothing (a read).</summary>
    Always,
}
