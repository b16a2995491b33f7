using StatProf.Sampler.Monitoring;

namespace StatProf.Sampler;

/// <summary>
/// A monitored request bound to the thread that began it (synchronous code). Dispose it on that
/// thread when the request ends. Entering and ending one costs no allocation in steady state.
/// </summary>
public readonly struct RequestScope : IDisposable, IEquatable<RequestScope>
{
    private readonly RequestRegistry? _registry;
    private readonly RequestState? _state;
    private readonly SyncThreadContext? _context;
    private readonly long _id;

    internal RequestScope(RequestRegistry registry, RequestState state, SyncThreadContext? context)
    {
        _registry = registry;
        _state = state;
        _context = context;
        _id = state.Id;
    }

    /// <summary>Records the request's status code (e.g. the HTTP status), shown in its end record.</summary>
    public void SetStatus(int status)
    {
        if (_state is not null && _state.Id == _id) _state.Status = status;
    }

    /// <summary>Records that an exception escaped the request (its type is shown in the end record).</summary>
    public void SetError(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (_state is not null && _state.Id == _id) _state.Error = exception.GetType().FullName;
    }

    /// <summary>Ends the request.</summary>
    public void Dispose()
    {
        if (_state is not null && _state.Id == _id)
        {
            _registry!.EndSync(_state, _context);
        }
    }

    /// <inheritdoc/>
    public bool Equals(RequestScope other) => ReferenceEquals(_state, other._state) && _id == other._id;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is RequestScope other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_state, _id);

    /// <summary>Compares two scopes.</summary>
    public static bool operator ==(RequestScope left, RequestScope right) => left.Equals(right);

    /// <summary>Compares two scopes.</summary>
    public static bool operator !=(RequestScope left, RequestScope right) => !left.Equals(right);
}

/// <summary>
/// A monitored request that flows with the execution context (async code): whichever thread runs
/// it at a tick is attributed to it, and while it awaits on no thread it is recorded as awaiting.
/// Dispose it in the same async method that began it.
/// </summary>
public readonly struct AsyncRequestScope : IDisposable, IEquatable<AsyncRequestScope>
{
    private readonly RequestRegistry? _registry;
    private readonly RequestState? _state;
    private readonly long _id;
    private readonly bool _leaveContext;

    /// <param name="registry">The registry that began the request.</param>
    /// <param name="state">The request.</param>
    /// <param name="leaveContext">True when the scope is disposed in the async method that began it (see <see cref="RequestRegistry.EndAsync"/>).</param>
    internal AsyncRequestScope(RequestRegistry registry, RequestState state, bool leaveContext = false)
    {
        _registry = registry;
        _state = state;
        _id = state.Id;
        _leaveContext = leaveContext;
    }

    /// <summary>Records the request's status code (e.g. the HTTP status), shown in its end record.</summary>
    public void SetStatus(int status)
    {
        if (_state is not null && _state.Id == _id) _state.Status = status;
    }

    /// <summary>Records that an exception escaped the request (its type is shown in the end record).</summary>
    public void SetError(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (_state is not null && _state.Id == _id) _state.Error = exception.GetType().FullName;
    }

    /// <summary>Records that the request was cancelled (e.g. the client went away).</summary>
    public void SetCancelled()
    {
        if (_state is not null && _state.Id == _id) _state.Cancelled = true;
    }

    /// <summary>Ends the request.</summary>
    public void Dispose()
    {
        if (_state is not null && _state.Id == _id)
        {
            _registry!.EndAsync(_state, _leaveContext);
        }
    }

    /// <inheritdoc/>
    public bool Equals(AsyncRequestScope other) => ReferenceEquals(_state, other._state) && _id == other._id;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is AsyncRequestScope other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_state, _id);

    /// <summary>Compares two scopes.</summary>
    public static bool operator ==(AsyncRequestScope left, AsyncRequestScope right) => left.Equals(right);

    /// <summary>Compares two scopes.</summary>
    public static bool operator !=(AsyncRequestScope left, AsyncRequestScope right) => !left.Equals(right);
}
