using Microsoft.AspNetCore.Http;
using StatProf.Sampler;

namespace StatProf.AspNetCore;

/// <summary>Monitors every request: a request slower than the threshold has its stacks recorded.</summary>
internal sealed class StatProfMiddleware(RequestDelegate next, LongRequestLogger logger, StatProfHttpOptions options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        foreach (string ignored in options.IgnoredPaths)
        {
            if (request.Path.StartsWithSegments(ignored, StringComparison.OrdinalIgnoreCase))
            {
                await next(context);
                return;
            }
        }

        string name = string.Concat(request.Method, " ", request.PathBase.Value, request.Path.Value, request.QueryString.Value);
        using AsyncRequestScope scope = logger.BeginAsyncRequest(name, "http", context.TraceIdentifier, CaptureHeaders(request));
        try
        {
            await next(context);
            scope.SetStatus(context.Response.StatusCode);
        }
        catch (Exception ex)
        {
            scope.SetError(ex);
            scope.SetStatus(StatusCodes.Status500InternalServerError);
            throw;
        }
        finally
        {
            if (context.RequestAborted.IsCancellationRequested)
            {
                scope.SetCancelled();
            }
        }
    }

    private List<KeyValuePair<string, string>>? CaptureHeaders(HttpRequest request)
    {
        List<KeyValuePair<string, string>>? tags = null;
        foreach (string header in options.CapturedHeaders)
        {
            if (request.Headers.TryGetValue(header, out var values) && values.Count > 0)
            {
                (tags ??= []).Add(new KeyValuePair<string, string>(header, values.ToString()));
            }
        }

        return tags;
    }
}
