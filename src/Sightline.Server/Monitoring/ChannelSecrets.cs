using Microsoft.AspNetCore.DataProtection;

namespace Sightline.Server.Monitoring;

/// <summary>
/// Webhook signing secrets at rest: the HMAC needs the secret itself (a hash would not do), so it is
/// encrypted with ASP.NET Core Data Protection (the server's key ring) and never returned by the API.
/// </summary>
internal sealed class ChannelSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Sightline.Monitoring.ChannelSecret.v1");

    public string? Protect(string? secret) => string.IsNullOrEmpty(secret) ? null : _protector.Protect(secret);

    public string? Unprotect(string? protectedSecret) => string.IsNullOrEmpty(protectedSecret) ? null : _protector.Unprotect(protectedSecret);
}
