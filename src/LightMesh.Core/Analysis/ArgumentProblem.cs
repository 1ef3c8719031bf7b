namespace LightMesh.Core.Analysis;

/// <summary>Why an argument's name or value is refused; <see cref="Name"/> is the argument's, <see cref="Message"/> says the rest.</summary>
public sealed record ArgumentProblem(string Name, string Message)
{
    public override string ToString() => $"argument \"{Name}\": {Message}";
}
