namespace StatProf.Analysis;

/// <summary>The verdict on a change between two profiles.</summary>
public enum ChangeKind
{
    /// <summary>Not significant, or too small to matter: noise.</summary>
    Unchanged,

    /// <summary>The share grew significantly: more time there after than before.</summary>
    Regression,

    /// <summary>The share shrank significantly.</summary>
    Improvement,
}
