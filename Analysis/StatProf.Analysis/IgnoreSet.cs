using StatProf.Analysis.Internal.Filters;

namespace StatProf.Analysis;

/// <summary>
/// An ordered list of <see cref="IgnoreRule"/>s applied to every stack before counting: the first
/// rule that matches a frame decides. Immutable; <see cref="With"/> puts new rules first, so a
/// user's <c>keep:</c> rule overrides a default <c>drop</c>.
/// </summary>
public sealed class IgnoreSet
{
    /// <summary>
    /// The default rules: drop runtime and server plumbing that sits between a method and its
    /// callees on every request (execution contexts, async method builders and state-machine boxes,
    /// task and thread-pool dispatch, Kestrel's connection handling), so that it never takes the
    /// hot/cold boundary's credit from the code that called it.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultDropPatterns =
    [
        "System.Threading.ExecutionContext.*",
        "System.Runtime.CompilerServices.AsyncMethodBuilderCore.*",
        "System.Runtime.CompilerServices.AsyncTaskMethodBuilder*",
        "System.Runtime.CompilerServices.AsyncValueTaskMethodBuilder*",
        "System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder*",
        "System.Runtime.CompilerServices.AsyncVoidMethodBuilder.*",
        "System.Runtime.CompilerServices.AsyncIteratorMethodBuilder.*",
        "System.Threading.Tasks.AwaitTaskContinuation.*",
        "System.Threading.Tasks.Task.ExecuteWithThreadLocal*",
        "System.Threading.Tasks.Task.ExecuteEntry*",
        "System.Threading.Tasks.Task.ExecuteFromThreadPool*",
        "System.Threading.Tasks.Task.RunContinuations*",
        "System.Threading.Tasks.Task.FinishContinuations*",
        "System.Threading.Tasks.Task.TrySetResult*",
        "System.Threading.Tasks.Task`1*.TrySetResult*",
        "System.Threading.ThreadPoolWorkQueue.*",
        "System.Threading.PortableThreadPool*",
        "System.Threading.Thread.StartCallback*",
        "System.Threading.Thread+StartHelper.*",
        "Microsoft.AspNetCore.Server.Kestrel.*",
        "Microsoft.AspNetCore.Server.IIS.*",
    ];

    private readonly IgnoreRule[] _rules;

    /// <summary>Creates a set from rules, first match wins.</summary>
    /// <param name="rules">The rules, in order.</param>
    public IgnoreSet(IEnumerable<IgnoreRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules = rules.ToArray();
        foreach (IgnoreRule rule in _rules)
        {
            ArgumentNullException.ThrowIfNull(rule, nameof(rules));
        }
    }

    /// <summary>The default set: <see cref="DefaultDropPatterns"/>, each a <see cref="FrameAction.Drop"/>.</summary>
    public static IgnoreSet Default { get; } = new(DefaultDropPatterns.Select(p => new IgnoreRule(p, FrameAction.Drop)));

    /// <summary>No rule: every frame is kept.</summary>
    public static IgnoreSet None { get; } = new([]);

    /// <summary>The rules, in the order they are tried.</summary>
    public IReadOnlyList<IgnoreRule> Rules => _rules;

    /// <summary>Whether the set has no rule.</summary>
    public bool IsEmpty => _rules.Length == 0;

    /// <summary>A set with <paramref name="rules"/> tried before this set's rules.</summary>
    /// <param name="rules">The rules to put first.</param>
    /// <returns>The new set.</returns>
    public IgnoreSet With(IEnumerable<IgnoreRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        return new IgnoreSet(rules.Concat(_rules));
    }

    /// <summary>What the first matching rule does to a frame, <see cref="FrameAction.Keep"/> when none matches.</summary>
    /// <param name="frameName">The frame's name.</param>
    /// <returns>The action.</returns>
    public FrameAction ActionFor(string frameName)
    {
        ArgumentNullException.ThrowIfNull(frameName);
        foreach (IgnoreRule rule in _rules)
        {
            if (Glob.IsFrameMatch(frameName, rule.Pattern, ignoreCase: false))
            {
                return rule.Action;
            }
        }

        return FrameAction.Keep;
    }
}
