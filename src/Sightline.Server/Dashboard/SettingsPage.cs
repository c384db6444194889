using Microsoft.AspNetCore.Antiforgery;
using Sightline.Server.Hosting;
using Sightline.Server.Security;
using Sightline.Server.Storage;

namespace Sightline.Server.Dashboard;

/// <summary>
/// Settings: projects (with the environments seen), the chosen project's ingest keys (create,
/// rotate with a grace period for the old key, revoke; keys of the old format are marked legacy) and users
/// (add, change password). Every form is a POST with an antiforgery token.
/// A form that changes something answers 303 See Other to <c>/settings</c> (POST-redirect-GET: a reload
/// never repeats it); its message, and a new key's plaintext, reach that page once through
/// <see cref="SettingsFlash"/>. A refused form changes nothing and is answered in place (400).
/// </summary>
internal static class SettingsPage
{
    public const int MinPasswordLength = 10;

    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/settings", (HttpContext context, ISightlineStore store, IngestKeyService keys, DefaultProject project) =>
            RenderAsync(context, store, keys, project, SettingsFlash.Take(context) is { } flash ? new Outcome(flash.Text, NewKey: flash.NewKey) : null));
        pages.MapPost("/settings/projects", (HttpContext c, ISightlineStore s, IngestKeyService k, DefaultProject p, IAntiforgery a) => HandleAsync(c, s, k, p, a, AddProject));
        pages.MapPost("/settings/keys", (HttpContext c, ISightlineStore s, IngestKeyService k, DefaultProject p, IAntiforgery a) => HandleAsync(c, s, k, p, a, CreateKeyAsync));
        pages.MapPost("/settings/keys/rotate", (HttpContext c, ISightlineStore s, IngestKeyService k, DefaultProject p, IAntiforgery a) => HandleAsync(c, s, k, p, a, RotateKeyAsync));
        pages.MapPost("/settings/keys/revoke", (HttpContext c, ISightlineStore s, IngestKeyService k, DefaultProject p, IAntiforgery a) => HandleAsync(c, s, k, p, a, RevokeKeyAsync));
        pages.MapPost("/settings/users", (HttpContext c, ISightlineStore s, IngestKeyService k, DefaultProject p, IAntiforgery a) => HandleAsync(c, s, k, p, a, AddUser));
        pages.MapPost("/settings/users/password", (HttpContext c, ISightlineStore s, IngestKeyService k, DefaultProject p, IAntiforgery a) => HandleAsync(c, s, k, p, a, ChangePassword));
    }

    /// <summary>What a settings form did: a message, whether it failed, and a new key's plaintext to show once.</summary>
    private sealed record Outcome(string Message, bool Failed = false, string? NewKey = null);

    private static async Task<IResult> HandleAsync(HttpContext context, ISightlineStore store, IngestKeyService keys, DefaultProject project, IAntiforgery antiforgery,
        Func<IFormCollection, ISightlineStore, ViewScope, Outcome> action)
        => await HandleAsync(context, store, keys, project, antiforgery, (form, s, _, scope) => Task.FromResult(action(form, s, scope)));

    private static async Task<IResult> HandleAsync(HttpContext context, ISightlineStore store, IngestKeyService keys, DefaultProject project, IAntiforgery antiforgery,
        Func<IFormCollection, ISightlineStore, IngestKeyService, ViewScope, Task<Outcome>> action)
    {
        if (!await DashboardEndpoints.IsValidAsync(context, antiforgery))
            return await RenderAsync(context, store, keys, project, new Outcome("The form expired or did not come from this site; nothing was changed. Try again.", true), 400);
        var form = await context.Request.ReadFormAsync();
        var outcome = await action(form, store, keys, ViewScope.Resolve(context, store, project));
        if (outcome.Failed) return await RenderAsync(context, store, keys, project, outcome, 400);
        SettingsFlash.Set(context, outcome.Message, outcome.NewKey);
        return new SeeOther("/settings");
    }

    private static Outcome AddProject(IFormCollection form, ISightlineStore store, ViewScope scope)
    {
        var name = form["name"].ToString().Trim();
        if (name.Length is 0 or > 100) return new("A project name is 1 to 100 characters.", true);
        var (_, created) = store.EnsureProject(name);
        return created ? new($"Project '{name}' created. Choose it above, then create an ingest key for it.") : new($"Project '{name}' already exists.", true);
    }

    private static async Task<Outcome> CreateKeyAsync(IFormCollection form, ISightlineStore store, IngestKeyService keys, ViewScope scope)
    {
        var created = await keys.CreateAsync(scope.ProjectId);
        return new($"New ingest key for project '{scope.Project.Name}'.", NewKey: created.Key);
    }

    private static async Task<Outcome> RotateKeyAsync(IFormCollection form, ISightlineStore store, IngestKeyService keys, ViewScope scope)
    {
        var keyId = form["keyId"].ToString();
        return await keys.RotateAsync(scope.ProjectId, keyId, IngestKeyService.DefaultGracePeriod) is { } created
            ? new($"Key rotated: the old key keeps working for {IngestKeyService.DefaultGracePeriod.TotalHours:0} hours; configure the SDKs with the new one before then.", NewKey: created.Key)
            : new("That key is unknown, of another project, revoked or expired.", true);
    }

    private static async Task<Outcome> RevokeKeyAsync(IFormCollection form, ISightlineStore store, IngestKeyService keys, ViewScope scope)
    {
        var keyId = form["keyId"].ToString();
        return await keys.RevokeAsync(scope.ProjectId, keyId)
            ? new("Key revoked: batches sent with it are refused from now on.")
            : new("That key is unknown, of another project, or already revoked.", true);
    }

    private static Outcome AddUser(IFormCollection form, ISightlineStore store, ViewScope scope)
    {
        var username = form["username"].ToString().Trim();
        var password = form["password"].ToString();
        if (username.Length is 0 or > 64) return new("A user name is 1 to 64 characters.", true);
        if (password.Length < MinPasswordLength) return new($"A password has at least {MinPasswordLength} characters.", true);
        return store.EnsureUser(username, password) ? new($"User '{username}' added.") : new($"User '{username}' already exists.", true);
    }

    private static Outcome ChangePassword(IFormCollection form, ISightlineStore store, ViewScope scope)
    {
        var username = form["username"].ToString();
        var password = form["password"].ToString();
        if (password.Length < MinPasswordLength) return new($"A password has at least {MinPasswordLength} characters.", true);
        return store.SetPassword(username, password) ? new($"Password of '{username}' changed.") : new($"There is no user '{username}'.", true);
    }

    private static async Task<IResult> RenderAsync(HttpContext context, ISightlineStore store, IngestKeyService ingestKeys, DefaultProject project, Outcome? outcome = null, int status = 200)
    {
        var scope = ViewScope.Resolve(context, store, project);
        var af = Layout.Antiforgery(context);
        var html = new Html();
        if (outcome is not null)
        {
            // A one-time message (and perhaps a key): neither the browser nor a proxy may keep this page.
            context.Response.Headers.CacheControl = "no-store";
            html.Tag("p", outcome.Message, outcome.Failed ? "notice error" : "notice");
        }
        if (outcome?.NewKey is { } key)
        {
            // Shown once: the server keeps only its hash.
            html.Raw("<section class=\"new-key\">").Tag("h2", "Copy this key now: it will not be shown again")
                .Raw("<code id=\"new-key\">").Text(key).Raw("</code>")
                .Tag("p", "Set it as Sightline:ApiKey (environment variable Sightline__ApiKey) in the apps that send to this project.", "muted").Raw("</section>");
        }

        html.Tag("h2", "Projects").Table("projects", "Project", "Environments seen", "Created");
        foreach (var p in scope.Projects)
        {
            html.Raw("<tr><td>").Text(p.Name).Raw(p.Id == scope.ProjectId ? " <span class=\"badge\">shown</span>" : "").Raw("</td>")
                .Tag("td", p.Environments.Count == 0 ? "none reported yet" : string.Join(", ", p.Environments), p.Environments.Count == 0 ? "muted" : null)
                .Tag("td", Layout.Utc(p.Created), "nowrap").Raw("</tr>");
        }
        html.EndTable(scope.Projects.Count);
        html.Raw("<form method=\"post\" action=\"/settings/projects\" class=\"inline\">").Raw(af)
            .Raw("<label>New project <input name=\"name\" required maxlength=\"100\"></label><button type=\"submit\">Add project</button></form>");

        var keys = await ingestKeys.ListAsync(scope.ProjectId, context.RequestAborted);
        html.Tag("h2", $"Ingest keys of '{scope.Project.Name}'").Table("keys", "Key", "Name", "Created", "Last used", "State", "");
        foreach (var k in keys)
        {
            var usable = k.State is "active" or "expiring";
            html.Raw("<tr><td class=\"mono\">").Text(k.Prefix + "…").Raw(k.Legacy ? " <span class=\"badge\">legacy</span>" : "").Raw("</td>")
                .Tag("td", k.Name).Tag("td", Layout.Utc(k.Created), "nowrap").Tag("td", k.LastUsed is { } used ? Layout.Utc(used) : "never", k.LastUsed is null ? "muted nowrap" : "nowrap")
                .Tag("td", k.State == "expiring" ? $"works until {Layout.Utc(k.Expires!.Value)}" : k.State, k.State == "active" ? "good" : "muted")
                .Raw("<td class=\"actions\">");
            if (usable)
            {
                foreach (var (action, label) in new[] { ("rotate", "Rotate"), ("revoke", "Revoke") })
                {
                    html.Raw("<form method=\"post\" action=\"/settings/keys/").Raw(action).Raw("\">").Raw(af)
                        .Raw("<input type=\"hidden\" name=\"keyId\" value=\"").Raw(Html.Attr(k.KeyId)).Raw("\">")
                        .Raw("<button type=\"submit\" class=\"").Raw(action == "revoke" ? "danger" : "secondary").Raw("\">").Text(label).Raw("</button></form>");
                }
            }
            html.Raw("</td></tr>");
        }
        html.EndTable(keys.Count, "This project has no ingest key.");
        html.Raw("<form method=\"post\" action=\"/settings/keys\" class=\"inline\">").Raw(af).Raw("<button type=\"submit\">Create ingest key</button></form>");

        var users = store.GetUsers();
        html.Tag("h2", "Users").Table("users", "User", "Created");
        foreach (var u in users) html.Raw("<tr>").Tag("td", u.Username).Tag("td", Layout.Utc(u.Created), "nowrap").Raw("</tr>");
        html.EndTable(users.Count);
        html.Raw("<section class=\"columns\"><form method=\"post\" action=\"/settings/users\" class=\"stacked\">").Raw(af).Tag("h3", "Add a user")
            .Raw("<label>User name <input name=\"username\" required maxlength=\"64\" autocomplete=\"off\"></label>")
            .Raw("<label>Password <input name=\"password\" type=\"password\" required minlength=\"").Raw(MinPasswordLength.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Raw("\" autocomplete=\"new-password\"></label><button type=\"submit\">Add user</button></form>");
        html.Raw("<form method=\"post\" action=\"/settings/users/password\" class=\"stacked\">").Raw(af).Tag("h3", "Change a password")
            .Raw("<label>User <select name=\"username\">");
        foreach (var u in users)
            html.Raw("<option value=\"").Raw(Html.Attr(u.Username)).Raw(u.Username == context.User.Identity?.Name ? "\" selected>" : "\">").Text(u.Username).Raw("</option>");
        html.Raw("</select></label><label>New password <input name=\"password\" type=\"password\" required minlength=\"").Raw(MinPasswordLength.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Raw("\" autocomplete=\"new-password\"></label><button type=\"submit\">Change password</button></form></section>");
        return Layout.Page(context, "Settings", html.ToString(), scope, status: status);
    }
}
