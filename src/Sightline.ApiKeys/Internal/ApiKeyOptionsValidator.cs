using Microsoft.Extensions.Options;

namespace Sightline.ApiKeys.Internal;

/// <summary>Fails start-up with a message naming the option when a scheme's or the shared options are invalid.</summary>
internal sealed class ApiKeyOptionsValidator : IValidateOptions<ApiKeyAuthenticationOptions>, IValidateOptions<ApiKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiKeyAuthenticationOptions options) =>
        options.Problem() is { } problem ? ValidateOptionsResult.Fail($"API-key scheme '{name}': {problem}") : ValidateOptionsResult.Success;

    public ValidateOptionsResult Validate(string? name, ApiKeyOptions options)
    {
        try
        {
            _ = new ApiKeyHasher(options);
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail(e.Message.Split(" (Parameter")[0]);
        }
        if (options.MaxCachedKeys < 1) return ValidateOptionsResult.Fail("Sightline:ApiKeys:MaxCachedKeys must be at least 1.");
        if (options.LastUsedFlushInterval <= TimeSpan.Zero) return ValidateOptionsResult.Fail("Sightline:ApiKeys:LastUsedFlushInterval must be positive.");
        return ValidateOptionsResult.Success;
    }
}
