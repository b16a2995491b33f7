namespace StatProf.Analysis;

/// <summary>A thread as the record file names it.</summary>
/// <param name="Os">The operating system's thread id.</param>
/// <param name="Managed">The managed thread id, 0 when unknown.</param>
public readonly record struct ThreadRef(int Os, int Managed);
