namespace StatProf.Analysis.Internal.Reading;

/// <summary>
/// Which stack each dump number of a request had, kept as runs of consecutive dump numbers with
/// the same stack, so that a <c>same</c> record can name any earlier dump (itself a <c>same</c> or
/// not). Memory is proportional to the number of stack changes: a request blocked for an hour is
/// one run. Dump numbers arrive in increasing order; a gap (a lost line) starts a new run, so a
/// lost dump is never resolved to a guess.
/// </summary>
internal sealed class DumpRuns
{
    private int[] _first = new int[4];
    private int[] _last = new int[4];
    private int[] _stack = new int[4];
    private int _count;

    public void Add(int dump, int stackId)
    {
        int tail = _count - 1;
        if (tail >= 0 && _stack[tail] == stackId && _last[tail] == dump - 1)
        {
            _last[tail] = dump;
            return;
        }

        if (_count == _first.Length)
        {
            int size = _count * 2;
            Array.Resize(ref _first, size);
            Array.Resize(ref _last, size);
            Array.Resize(ref _stack, size);
        }

        _first[_count] = dump;
        _last[_count] = dump;
        _stack[_count] = stackId;
        _count++;
    }

    public bool TryFind(int dump, out int stackId)
    {
        int index = Array.BinarySearch(_first, 0, _count, dump);
        if (index < 0)
        {
            index = ~index - 1; // the run that starts before it
        }

        if (index >= 0 && dump <= _last[index])
        {
            stackId = _stack[index];
            return true;
        }

        stackId = -1;
        return false;
    }
}
