namespace LightMesh.Host.Configuration;

/// <summary>Reads a setting's text: null and the value, or what is wrong with it (<c>must be IP:PORT</c>).</summary>
internal delegate string? SettingParser<T>(string text, out T value);
