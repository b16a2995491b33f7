namespace StatProf.Sampler.Tests;

public sealed class StackTableTests
{
    [Fact]
    public void SameStackInternsToTheSameId()
    {
        var table = new StackTable(100);
        int main = table.InternFrame("app", "App.Main()");
        int work = table.InternFrame("app", "App.Work()");

        int first = table.InternStack([main, work]);
        int again = table.InternStack([main, work]);

        Assert.Equal(first, again);
        Assert.Equal([main, work], table.GetFrameIds(first).ToArray());
        Assert.Equal(["App.Main()", "App.Work()"], table.GetStack(first).Select(f => f.Name));
    }

    [Fact]
    public void FramesAreIdentifiedByModuleAndName()
    {
        var table = new StackTable(100);
        int a = table.InternFrame("one", "N.T.M()");
        int b = table.InternFrame("two", "N.T.M()");

        Assert.NotEqual(a, b);
        Assert.Equal(a, table.InternFrame("one", "N.T.M()"));
        Assert.Equal("two", table.GetFrame(b).Module);
    }

    [Fact]
    public void PrefixesAndOrderMakeDistinctStacks()
    {
        var table = new StackTable(100);
        int x = table.InternFrame("m", "X()");
        int y = table.InternFrame("m", "Y()");

        int xy = table.InternStack([x, y]);
        int yx = table.InternStack([y, x]);
        int xOnly = table.InternStack([x]);

        Assert.Equal(3, new[] { xy, yx, xOnly }.Distinct().Count());
    }

    [Fact]
    public void LeafFirstStacksAreStoredRootFirst()
    {
        var table = new StackTable(100);
        int root = table.InternFrame("m", "Root()");
        int leaf = table.InternFrame("m", "Leaf()");

        int id = table.InternStackLeafFirst(new[] { leaf, root });

        Assert.Equal([root, leaf], table.GetFrameIds(id).ToArray());
    }

    [Fact]
    public void FullTableMapsNewStacksToTheFullStackButKeepsKnownOnes()
    {
        var table = new StackTable(16);
        var ids = new List<int>();
        for (int i = 0; ids.Count < 20; i++)
        {
            ids.Add(table.InternStack([table.InternFrame("m", $"F{i}()")]));
        }

        Assert.True(table.IsFull);
        Assert.Equal(16, table.StackCount);
        Assert.Equal(StackTable.FullStackId, ids[^1]);
        Assert.Equal("[stack table full]", table.GetStack(StackTable.FullStackId).Single().Name);
        Assert.Equal(ids[0], table.InternStack([table.InternFrame("m", "F0()")]));
    }

    [Fact]
    public void SpansHandedOutStayValidWhileTheTableGrows()
    {
        var table = new StackTable(100_000);
        int f = table.InternFrame("m", "F()");
        int first = table.InternStack([f, f, f]);
        ReadOnlySpan<int> span = table.GetFrameIds(first);

        for (int i = 0; i < 20_000; i++)
        {
            table.InternStack([f, table.InternFrame("m", $"G{i % 500}()"), i]);
        }

        Assert.Equal([f, f, f], span.ToArray());
        Assert.Equal([f, f, f], table.GetFrameIds(first).ToArray());
    }

    [Fact]
    public void EmptyStackHasItsOwnId()
    {
        var table = new StackTable(100);
        Assert.Equal(StackTable.EmptyStackId, table.InternStack([]));
        Assert.True(table.GetFrameIds(StackTable.EmptyStackId).IsEmpty);
    }
}
