namespace Sightline.AspNetCore;

public sealed partial class SightlineOptions
{
    /// <summary>Base address of the Sightline server. Default: <c>http://localhost:5080</c>.</summary>
    public Uri Endpoint { get; set; } = new("http://localhost:5080");
}
