namespace Sightline.Server.Monitoring;

/// <summary>SMTP settings for e-mail alert channels (<c>Sightline:Monitoring:Smtp</c>).</summary>
public sealed class SmtpSettings
{
    /// <summary>SMTP host. Default: none (e-mail disabled).</summary>
    public string? Host { get; set; }

    /// <summary>SMTP port. Default: 25.</summary>
    public int Port { get; set; } = 25;

    /// <summary>Sender address. Default: <c>sightline@localhost</c>.</summary>
    public string From { get; set; } = "sightline@localhost";

    /// <summary>User name for SMTP authentication. Default: none (no authentication).</summary>
    public string? UserName { get; set; }

    /// <summary>Password for SMTP authentication. Default: none. Never logged.</summary>
    public string? Password { get; set; }

    /// <summary>Use STARTTLS. Default: false.</summary>
    public bool EnableSsl { get; set; }
}
