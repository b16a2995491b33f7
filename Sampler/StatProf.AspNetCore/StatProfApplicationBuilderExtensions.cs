using StatProf.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds StatProf's monitoring to the request pipeline.</summary>
public static class StatProfApplicationBuilderExtensions
{
    /// <summary>
    /// Monitors every request from here on (put it first, so the whole pipeline is measured):
    /// requests slower than the threshold have their stacks recorded. Requires <c>AddStatProf</c>.
    /// </summary>
    public static IApplicationBuilder UseStatProf(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.UseMiddleware<StatProfMiddleware>();
    }
}
