using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace Sightline.Server.Dashboard;

/// <summary>
/// The one-time message a settings action leaves for the page its 303 redirect leads to (POST-redirect-GET), including
/// a new ingest key's plaintext. It travels in a cookie encrypted and authenticated with the server's data-protection
/// keys (shared by every server, so the GET may land on another one), bound to the signed-in user, valid two minutes,
/// <c>HttpOnly</c>, <c>SameSite=Strict</c>, path <c>/settings</c>. The GET that reads it deletes it and answers
/// <c>Cache-Control: no-store</c>, so a reload, the back button or the browser cache never show the key again, and
/// the server never stores the plaintext (only the key's hash).
/// </summary>
internal static class SettingsFlash
{
    public const string CookieName = "sightline.flash";
    private const string Purpose = "Sightline.Dashboard.SettingsFlash.v1";
    private static readonly TimeSpan s_lifetime = TimeSpan.FromMinutes(2);

    /// <summary>What the next settings page shows once.</summary>
    public sealed record Message(string User, string Text, string? NewKey);

    public static void Set(HttpContext context, string text, string? newKey)
    {
        var payload = JsonSerializer.Serialize(new Message(context.User.Identity?.Name ?? "", text, newKey));
        context.Response.Cookies.Append(CookieName, Protector(context).Protect(payload, s_lifetime), Options(context, s_lifetime));
    }

    /// <summary>Reads and deletes the message; null when there is none, it expired, was tampered with or belongs to another user.</summary>
    public static Message? Take(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(CookieName, out var value) || value.Length == 0) return null;
        context.Response.Cookies.Delete(CookieName, Options(context, null));
        try
        {
            var message = JsonSerializer.Deserialize<Message>(Protector(context).Unprotect(value));
            return message is not null && message.User == (context.User.Identity?.Name ?? "") ? message : null;
        }
        catch (Exception e) when (e is CryptographicException or JsonException)
        {
            return null;
        }
    }

    private static ITimeLimitedDataProtector Protector(HttpContext context)
        => context.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose).ToTimeLimitedDataProtector();

    private static CookieOptions Options(HttpContext context, TimeSpan? maxAge)
        => new() { HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = context.Request.IsHttps, Path = "/settings", MaxAge = maxAge, IsEssential = true };
}
