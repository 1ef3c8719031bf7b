using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Core.Interceptors;
using LightMesh.Core;
using LightMesh.Core.Security;

namespace LightMesh.Etcd;

/// <summary>
/// How a connection shows etcd who it is: TLS (the server checked against <see cref="EtcdOptions.CaFile"/>, a client
/// certificate when one is given) and, for a user with a password, the auth token etcd hands out, sent as the
/// <c>token</c> metadata of every call.
/// </summary>
internal sealed class EtcdCredentials : Interceptor
{
    private const string AuthenticateMethod = "/etcdserverpb.Auth/Authenticate";
    private volatile string? _token;

    /// <summary>The token etcd gave for the user; null before the first authentication, or once it is refused.</summary>
    public string? Token
    {
        get => _token;
        set => _token = value;
    }

    /// <summary>The password of <paramref name="options"/>' user: given, or read from its file; null for none.</summary>
    public static string? Password(EtcdOptions options)
    {
        if (options.PasswordFile is not { } file)
        {
            return options.Password;
        }

        try
        {
            return File.ReadLines(file).FirstOrDefault()?.TrimEnd('\r') is { Length: > 0 } password
                ? password
                : throw new InvalidInputException($"etcd password file {file}: is empty");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"etcd password file {file}: cannot be read: {e.Message}");
        }
    }

    /// <summary>The HTTP handler of a TLS connection: the server's certificate checked against the CA file, if one is given.</summary>
    public static SocketsHttpHandler TlsHandler(EtcdOptions options)
    {
        var ssl = new SslClientAuthenticationOptions();
        if (options.CertFile is { } cert)
        {
            ssl.ClientCertificates = [Load(() => X509Certificate2.CreateFromPemFile(cert, options.KeyFile), $"etcd client certificate {cert} (key {options.KeyFile})")];
        }

        if (options.CaFile is { } ca)
        {
            var authorities = new X509Certificate2Collection();
            Load(() => { authorities.ImportFromPemFile(ca); return authorities; }, $"etcd CA file {ca}");
            ssl.RemoteCertificateValidationCallback = (sender, certificate, _, _) =>
                certificate is not null && sender is SslStream stream
                && ServerCertificates.IsIssuedTo(new X509Certificate2(certificate), stream.TargetHostName, authorities);
        }

        return new SocketsHttpHandler { SslOptions = ssl, EnableMultipleHttp2Connections = true };
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, WithToken(context));

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(WithToken(context));

    private ClientInterceptorContext<TRequest, TResponse> WithToken<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class
        where TResponse : class
    {
        if (_token is not { } token || context.Method.FullName == AuthenticateMethod)
        {
            return context;
        }

        var headers = new Metadata();
        foreach (var entry in context.Options.Headers ?? [])
        {
            headers.Add(entry);
        }

        headers.Add("token", token);
        return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithHeaders(headers));
    }

    private static T Load<T>(Func<T> load, string what)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new InvalidInputException($"{what}: cannot be read: {e.Message}");
        }
    }
}
