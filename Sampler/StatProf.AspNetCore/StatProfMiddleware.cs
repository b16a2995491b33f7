using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using StatProf.Sampler;
using StatProf.Sampler.Monitoring;

namespace StatProf.AspNetCore;

/// <summary>Monitors every request: a request slower than the threshold has its stacks recorded.</summary>
/// <remarks>
/// Every request pays this middleware, so it builds nothing: the request's name is kept as the
/// pieces the request already has (method, path base, path, query string), and its trace
/// identifier, captured headers and cancellation are read from its features only if it turns slow
/// (<see cref="HttpRequestDetails"/>). Measured in <c>docs/long-requests.md</c>.
/// </remarks>
internal sealed class StatProfMiddleware(RequestDelegate next, LongRequestLogger logger, StatProfHttpOptions options)
{
    private readonly HttpRequestDetails _details = new(options);

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

        var name = new RequestName(request.Method, " ", request.PathBase.Value, request.Path.Value, request.QueryString.Value);
        using AsyncRequestScope scope = logger.BeginAsyncRequest(name, "http", _details, context.Features);
        try
        {
            await next(context);
            scope.SetStatus(context.Response.StatusCode);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            scope.SetCancelled(); // the client went away: not the server's error
            throw;
        }
        catch (Exception ex)
        {
            scope.SetError(ex);
            scope.SetStatus(StatusCodes.Status500InternalServerError);
            throw;
        }
    }

    /// <summary>
    /// Reads a slow request's trace identifier, captured headers and whether the client went away
    /// (Kestrel makes the request-aborted token on first read, under a lock) from its feature collection
    /// (on the logger's thread while the request runs, or on the request's thread as it ends). Only
    /// reads: the server's request-identifier feature makes its identifier on first read, the same
    /// one whichever thread reads first; the header dictionary is not written by the server once the
    /// request is parsed.
    /// </summary>
    private sealed class HttpRequestDetails(StatProfHttpOptions options) : RequestDetails
    {
        public override string? ReadId(object request) =>
            ((IFeatureCollection)request).Get<IHttpRequestIdentifierFeature>()?.TraceIdentifier;

        public override bool ReadCancelled(object request) =>
            ((IFeatureCollection)request).Get<IHttpRequestLifetimeFeature>()?.RequestAborted.IsCancellationRequested == true;

        public override void ReadTags(object request, List<KeyValuePair<string, string>> tags)
        {
            if (((IFeatureCollection)request).Get<IHttpRequestFeature>()?.Headers is not { } headers)
            {
                return;
            }

            foreach (string header in options.CapturedHeaders)
            {
                if (headers.TryGetValue(header, out var values) && values.Count > 0)
                {
                    tags.Add(new KeyValuePair<string, string>(header, values.ToString()));
                }
            }
        }
    }
}
