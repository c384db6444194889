using System.Net;
using System.Text.RegularExpressions;

namespace Sightline.Server.Tests.Dashboard;

/// <summary>The settings forms and the scope form over HTTP: antiforgery required, POST-redirect-GET, keys shown once and never cached, no open redirects.</summary>
public sealed partial class SettingsFormsTests : IAsyncLifetime
{
    private ServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    private static async Task<string> TokenAsync(HttpClient client, string page = "/settings")
        => TokenPattern().Match(await client.GetStringAsync(page)).Groups[1].Value;

    [Theory]
    [InlineData("/settings/keys")]
    [InlineData("/settings/keys/revoke")]
    [InlineData("/settings/keys/rotate")]
    [InlineData("/settings/users")]
    [InlineData("/settings/users/password")]
    [InlineData("/settings/projects")]
    public async Task SettingsForm_WithoutAntiforgeryToken_ChangesNothing(string path)
    {
        using var client = await _server.SignedInClientAsync();
        var keyId = (await _server.Keys.ListAsync(1)).Single().KeyId;

        var response = await client.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["keyId"] = keyId, ["username"] = "admin", ["password"] = "a-new-password-123", ["name"] = "evil",
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("active", Assert.Single(await _server.Keys.ListAsync(1)).State);
        Assert.Equal(1, await _server.Keys.ValidateAsync(_server.IngestKey, null));
        Assert.True(_server.Store.VerifyUser("admin", ServerFixture.AdminPassword));
        Assert.Single(_server.Store.GetProjects());
    }

    [Fact]
    public async Task CreateKey_RedirectsThenShowsItOnceNotCachedAndNeverAgain()
    {
        using var client = await _server.SignedInClientAsync();
        var token = await TokenAsync(client);

        var response = await client.PostAsync("/settings/keys", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/settings", response.Headers.Location!.OriginalString);
        var flash = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("sightline.flash=", StringComparison.Ordinal));
        Assert.Contains("httponly", flash, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", flash, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/settings", flash, StringComparison.OrdinalIgnoreCase);

        var shown = await client.GetAsync("/settings");
        var key = Regex.Match(await shown.Content.ReadAsStringAsync(), "<code id=\"new-key\">([^<]+)</code>").Groups[1].Value;
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        Assert.True(shown.Headers.CacheControl!.NoStore);
        Assert.Equal(1, await _server.Keys.ValidateAsync(key, null));
        Assert.DoesNotContain(key, flash, StringComparison.Ordinal); // the cookie carries it encrypted, never in clear
        Assert.DoesNotContain(key, await client.GetStringAsync("/settings"), StringComparison.Ordinal); // a reload: gone
        Assert.DoesNotContain(key, await client.GetStringAsync("/api/v1/ingest-keys"), StringComparison.Ordinal);
        Assert.Equal(2, (await _server.Keys.ListAsync(1)).Count); // and the reload made no second key
    }

    [Fact]
    public async Task SettingsActions_AnswerSeeOther_SoAReloadRepeatsOnlyTheGet()
    {
        using var client = await _server.SignedInClientAsync();

        var response = await client.PostAsync("/settings/projects", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = await TokenAsync(client), ["name"] = "billing",
        }));
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Contains("created. Choose it above", await client.GetStringAsync("/settings"), StringComparison.Ordinal);
        Assert.DoesNotContain("created. Choose it above", await client.GetStringAsync("/settings"), StringComparison.Ordinal); // the message is shown once
        Assert.Equal(["billing", "default"], _server.Store.GetProjects().Select(p => p.Name).Order(StringComparer.Ordinal));

        var user = await client.PostAsync("/settings/users", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = await TokenAsync(client), ["username"] = "erin", ["password"] = "erin-password-1",
        }));
        Assert.Equal(HttpStatusCode.SeeOther, user.StatusCode);
        Assert.True(_server.Store.VerifyUser("erin", "erin-password-1"));
    }

    [Fact]
    public async Task Flash_OfAnotherUserOrTampered_IsNotShown()
    {
        using var admin = await _server.SignedInClientAsync();
        var response = await admin.PostAsync("/settings/keys", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = await TokenAsync(admin) }));
        var value = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("sightline.flash=", StringComparison.Ordinal)).Split(';')[0]["sightline.flash=".Length..];
        _server.Store.EnsureUser("mallory", "mallory-password");

        var malloryJar = new CookieContainer();
        using var mallory = await _server.SignedInClientAsync("mallory-password", "mallory", malloryJar);
        malloryJar.Add(_server.Address, new Cookie("sightline.flash", value, "/settings"));
        Assert.DoesNotContain("id=\"new-key\"", await mallory.GetStringAsync("/settings"), StringComparison.Ordinal);

        var tamperedJar = new CookieContainer();
        using var tampered = await _server.SignedInClientAsync(cookies: tamperedJar);
        tamperedJar.Add(_server.Address, new Cookie("sightline.flash", value[..^4] + (value.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA"), "/settings"));
        Assert.DoesNotContain("id=\"new-key\"", await tampered.GetStringAsync("/settings"), StringComparison.Ordinal);

        Assert.Contains("id=\"new-key\"", await admin.GetStringAsync("/settings"), StringComparison.Ordinal); // the genuine one still works, once
    }

    [Fact]
    public async Task AddUser_ShortPassword_RefusedWithMessage()
    {
        using var client = await _server.SignedInClientAsync();
        var token = await TokenAsync(client);

        var response = await client.PostAsync("/settings/users", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["username"] = "dave", ["password"] = "short",
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at least 10 characters", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(_server.Store.GetUsers(), u => u.Username == "dave");
    }

    [Theory]
    [InlineData("//evil.example/x")]
    [InlineData("/\\evil.example")]
    [InlineData("https://evil.example/")]
    public async Task ScopeForm_ForeignBackUrl_RedirectsHome(string back)
    {
        using var client = await _server.SignedInClientAsync();
        var token = await TokenAsync(client, "/");

        var response = await client.PostAsync("/scope", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["project"] = "default", ["environment"] = "", ["range"] = "24h", ["back"] = back,
        }));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task ScopeForm_ChosenRange_IsKeptAndWinsOverTheBackUrlsRange()
    {
        using var client = await _server.SignedInClientAsync();
        var token = await TokenAsync(client, "/");

        var response = await client.PostAsync("/scope", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["project"] = "default", ["environment"] = "", ["range"] = "7d", ["back"] = "/endpoints?range=15m&x=1",
        }));
        var page = await client.GetStringAsync("/endpoints");

        Assert.Equal("/endpoints?x=1", response.Headers.Location!.OriginalString);
        Assert.Contains("<option value=\"7d\" selected>", page, StringComparison.Ordinal);
    }
}
