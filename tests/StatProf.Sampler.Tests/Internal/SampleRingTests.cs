using StatProf.Sampler.Internal;

namespace StatProf.Sampler.Tests.Internal;

public sealed class SampleRingTests
{
    private static ThreadSample Sample(long tick) => new(tick, tick * 10, tick, 7, 1, 0, ThreadActivity.Running, (int)tick);

    [Fact]
    public void RingRoundsCapacityUpToAPowerOfTwo()
    {
        Assert.Equal(8, new SampleRing(5, RingOverflowMode.DropOldest).Capacity);
    }

    [Fact]
    public void RingReturnsSamplesOldestFirst()
    {
        var ring = new SampleRing(8, RingOverflowMode.DropOldest);
        for (long i = 0; i < 5; i++) Assert.True(ring.TryPush(Sample(i)));

        var buffer = new ThreadSample[16];
        int n = ring.Drain(buffer);

        Assert.Equal([0L, 1, 2, 3, 4], buffer[..n].Select(s => s.Tick));
        Assert.Equal(0, ring.Count);
        Assert.Equal(0, ring.Dropped);
    }

    [Fact]
    public void RingDropsOldestWhenFullAndCountsOverflow()
    {
        var ring = new SampleRing(8, RingOverflowMode.DropOldest);
        for (long i = 0; i < 20; i++) Assert.True(ring.TryPush(Sample(i)));

        Assert.Equal(12, ring.Dropped);
        var buffer = new ThreadSample[32];
        int n = ring.Drain(buffer);

        Assert.Equal(Enumerable.Range(12, 8).Select(i => (long)i), buffer[..n].Select(s => s.Tick));
        Assert.Equal(12, ring.Dropped);
    }

    [Fact]
    public void RingDropsNewestWhenFullAndCountsOverflow()
    {
        var ring = new SampleRing(8, RingOverflowMode.DropNewest);
        int accepted = 0;
        for (long i = 0; i < 20; i++) accepted += ring.TryPush(Sample(i)) ? 1 : 0;

        Assert.Equal(8, accepted);
        Assert.Equal(12, ring.Dropped);
        var buffer = new ThreadSample[32];
        int n = ring.Drain(buffer);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i), buffer[..n].Select(s => s.Tick));
    }

    [Fact]
    public void DrainStopsAtTheDestinationLength()
    {
        var ring = new SampleRing(8, RingOverflowMode.DropOldest);
        for (long i = 0; i < 6; i++) ring.TryPush(Sample(i));

        var buffer = new ThreadSample[4];
        Assert.Equal(4, ring.Drain(buffer));
        Assert.Equal(2, ring.Count);
        Assert.Equal(2, ring.Drain(buffer));
        Assert.Equal([4L, 5], buffer[..2].Select(s => s.Tick));
    }

    [Theory]
    [InlineData(RingOverflowMode.DropOldest)]
    [InlineData(RingOverflowMode.DropNewest)]
    public void ConcurrentReaderSeesEverySampleOnceOrCountsItDropped(RingOverflowMode mode)
    {
        // A producer racing a slow reader: every sequence number is either read exactly once, in
        // order and untorn (all fields agree), or counted as dropped.
        var ring = new SampleRing(64, mode);
        const long total = 2_000_000;
        long produced = 0;
        var producer = new Thread(() =>
        {
            for (long i = 0; i < total; i++)
            {
                if (ring.TryPush(new ThreadSample(i, i, i, (int)(i % 1000), (int)(i % 1000), i, ThreadActivity.Waiting, (int)(i % 1000))))
                {
                    produced++;
                }
            }
        });
        producer.Start();

        var buffer = new ThreadSample[16];
        long read = 0;
        long last = -1;
        while (producer.IsAlive || ring.Count > 0)
        {
            int n = ring.Drain(buffer);
            foreach (ThreadSample s in buffer.AsSpan(0, n))
            {
                Assert.True(s.Tick > last, "samples come out in order");
                Assert.Equal(s.Tick, s.TimestampUtcTicks);
                Assert.Equal(s.Tick % 1000, s.OsThreadId);
                Assert.Equal(s.Tick % 1000, s.StackId);
                last = s.Tick;
                read++;
            }
        }

        producer.Join();
        read += ring.Drain(buffer);
        Assert.Equal(total, read + ring.Dropped);
        Assert.True(read > 0);
        if (mode == RingOverflowMode.DropNewest)
        {
            Assert.Equal(produced, read);
        }
    }
}
