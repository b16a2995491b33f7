using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace StatProf.Sampler.Tests.Monitoring;

[Collection(RealSampling.Name)]
public sealed class LongRequestLoggerTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "statprof-tests-" + Guid.NewGuid().ToString("N"));
    private readonly ListLogger _log = new();

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>
    /// A logger whose session is already sampling (continuous mode), so that what a test checks does
    /// not depend on how long the session takes to start on a busy machine.
    /// </summary>
    private LongRequestLogger NewSamplingLogger(double thresholdMs = 300, double intervalMs = 100, Action<LongRequestLoggerOptions>? configure = null)
    {
        LongRequestLogger logger = NewLogger(thresholdMs, intervalMs, o =>
        {
            o.Continuous = true;
            configure?.Invoke(o);
        });
        var clock = Stopwatch.StartNew();
        while (!logger.IsSampling && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            Thread.Sleep(20);
        }

        Assert.True(logger.IsSampling, "the continuous session started");
        return logger;
    }

    private LongRequestLogger NewLogger(double thresholdMs = 300, double intervalMs = 100, Action<LongRequestLoggerOptions>? configure = null)
    {
        var options = new LongRequestLoggerOptions
        {
            Threshold = TimeSpan.FromMilliseconds(thresholdMs),
            Interval = TimeSpan.FromMilliseconds(intervalMs),
            ActivationLead = TimeSpan.FromMilliseconds(thresholdMs / 2),
            IdleStop = TimeSpan.FromMilliseconds(300),
            Directory = _directory,
            Logger = _log,
        };
        configure?.Invoke(options);
        return new LongRequestLogger(options);
    }

    private List<JsonElement> ReadRecords() =>
        Directory.GetFiles(_directory, "*.jsonl")
            .OrderBy(f => f, StringComparer.Ordinal)
            .SelectMany(File.ReadAllLines)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())
            .ToList();

    /// <summary>
    /// Waits (at most 30 s) until the logger has written the end record of request <paramref name="id"/>:
    /// it does once the samples up to the request's end have arrived, seconds late on a loaded
    /// machine. Disposing the logger before would drop the samples still on their way.
    /// </summary>
    private void WaitForEndRecord(string id)
    {
        for (var clock = Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromSeconds(30); Thread.Sleep(50))
        {
            bool ended = Directory.Exists(_directory) // created with the first record
                && Directory.GetFiles(_directory, "*.jsonl")
                .SelectMany(f => File.ReadAllText(f).Split('\n').SkipLast(1)) // complete lines only
                .Where(line => line.Contains("\"type\":\"end\"", StringComparison.Ordinal))
                .Any(line => line.Contains($"\"{id}\"", StringComparison.Ordinal));
            if (ended)
            {
                return;
            }
        }
    }

    /// <summary>The stack line a dump refers to (written earlier in the same file).</summary>
    private static JsonElement StackOf(List<JsonElement> records, JsonElement dump) =>
        records.Single(r => r.GetProperty("type").GetString() == "stack" && r.GetProperty("id").GetInt64() == dump.GetProperty("stack").GetInt64());

    private static IEnumerable<JsonElement> OfType(List<JsonElement> records, string type) =>
        records.Where(r => r.GetProperty("type").GetString() == type);

    private static string RequestIdOf(JsonElement record) =>
        record.TryGetProperty("requestId", out JsonElement id) ? id.GetString()! : record.GetProperty("request").GetProperty("id").GetString()!;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double SlowSyncWork(TimeSpan duration)
    {
        long end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        double x = 0;
        while (Stopwatch.GetTimestamp() < end)
        {
            x += Math.Sqrt(x + 1);
        }

        return x;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<double> SlowAsyncWork(TimeSpan cpu, TimeSpan awaiting)
    {
        double x = SlowSyncWork(cpu);
        await Task.Delay(awaiting).ConfigureAwait(false);
        return x + AfterAwait(cpu);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double AfterAwait(TimeSpan cpu) => SlowSyncWork(cpu) + 1;

    [Fact]
    public void SlowRequestIsDumpedEveryIntervalAndEndsWithOneSummaryWhileFastRequestsLeaveNoTrace()
    {
        var fastClock = new System.Diagnostics.Stopwatch();
        using (LongRequestLogger logger = NewSamplingLogger())
        {
            fastClock.Start();
            using (RequestScope fast = logger.BeginRequest("GET /fast", "http", "fast-1"))
            {
                SlowSyncWork(TimeSpan.FromMilliseconds(20));
                fast.SetStatus(200);
            }

            fastClock.Stop();

            using (RequestScope slow = logger.BeginRequest("GET /slow", "http", "slow-1"))
            {
                SlowSyncWork(TimeSpan.FromMilliseconds(1500));
                slow.SetStatus(200);
            }
        }

        List<JsonElement> records = ReadRecords();
        Assert.Equal("header", records[0].GetProperty("type").GetString());
        if (fastClock.Elapsed < TimeSpan.FromMilliseconds(250))
        {
            Assert.DoesNotContain(records, r => r.GetProperty("type").GetString() is not ("header" or "stats" or "stack") && RequestIdOf(r) == "fast-1");
        }
        else
        {
            // A loaded machine stretched 20 ms of work toward the 300 ms threshold: past it, the
            // request is slow and must have its end record; below, none.
            Assert.Equal(fastClock.Elapsed >= TimeSpan.FromMilliseconds(300), records.Any(r => r.GetProperty("type").GetString() == "end" && RequestIdOf(r) == "fast-1"));
        }

        var dumps = records.Where(r => r.GetProperty("type").GetString() is "dump" or "same").Where(r => RequestIdOf(r) == "slow-1").ToList();
        Assert.True(dumps.Count >= 4, $"{dumps.Count} dumps for a 1.5 s request at T=300 ms, I=100 ms: " + string.Join("\n", records.Select(r => r.ToString().Substring(0, Math.Min(300, r.ToString().Length)))) + string.Join("\n", _log.Lines));
        Assert.All(dumps, d => Assert.True(d.GetProperty("elapsedMs").GetDouble() >= 300));
        Assert.Equal(Enumerable.Range(1, dumps.Count), dumps.Select(d => d.GetProperty("dump").GetInt32()));
        JsonElement first = OfType(records, "dump").First(r => RequestIdOf(r) == "slow-1");
        Assert.Equal("GET /slow", first.GetProperty("request").GetProperty("name").GetString());
        JsonElement stack = StackOf(records, first);
        Assert.Contains(stack.GetProperty("frames").EnumerateArray(), f => f.GetProperty("name").GetString()!.Contains(nameof(SlowSyncWork), StringComparison.Ordinal));
        Assert.Contains("   at ", stack.GetProperty("traceback").GetString());
        Assert.Equal(Environment.CurrentManagedThreadId, first.GetProperty("thread").GetProperty("managed").GetInt32());
        DateTime startedAt = first.GetProperty("request").GetProperty("startedAt").GetDateTime();
        Assert.All(OfType(records, "dump").Where(r => RequestIdOf(r) == "slow-1"), d =>
        {
            // A dump's time is the tick's instant: its elapsed time after the request's start.
            TimeSpan sinceStart = d.GetProperty("time").GetDateTime() - startedAt;
            Assert.InRange(sinceStart.TotalMilliseconds, d.GetProperty("elapsedMs").GetDouble() - 50, d.GetProperty("elapsedMs").GetDouble() + 50);
        });

        JsonElement end = Assert.Single(OfType(records, "end"));
        Assert.Equal("slow-1", RequestIdOf(end));
        Assert.True(end.GetProperty("durationMs").GetDouble() >= 1500);
        Assert.Equal(dumps.Count, end.GetProperty("dumps").GetInt32());
        Assert.Equal(200, end.GetProperty("status").GetInt32());
        Assert.Equal("ok", end.GetProperty("outcome").GetString());
    }

    [Fact]
    public void ASessionThatDoesNotStartIsTriedAgainAboutOnceASecondEvenInContinuousMode()
    {
        // A 1 ms start timeout: every start fails, as one that passes the 15 s default on a saturated machine.
        using LongRequestLogger logger = NewLogger(configure: o =>
        {
            o.Continuous = true;
            o.Sampler.StartTimeout = TimeSpan.FromMilliseconds(1);
        });

        var clock = Stopwatch.StartNew();
        while (logger.StartAttempts < 3 && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            Thread.Sleep(20);
        }

        TimeSpan took = clock.Elapsed;
        Assert.True(logger.StartAttempts >= 3, $"{logger.StartAttempts} start attempts in {took.TotalSeconds:0.0} s");
        Assert.False(logger.IsSampling);

        // Not at every 20 ms step: a second apart (each failed start also takes its own time).
        Assert.True(took >= TimeSpan.FromSeconds(1.8), $"3 attempts in {took.TotalSeconds:0.0} s");
        Assert.Single(_log.Lines, l => l.Contains("did not start within 0.001 s", StringComparison.Ordinal)); // reported once, not at every attempt
    }

    [Fact]
    public void UnchangedStackIsWrittenAsSameAsPrevious()
    {
        using (LongRequestLogger logger = NewSamplingLogger())
        using (logger.BeginRequest("job nightly", "job", "job-1"))
        {
            Thread.Sleep(1200); // one stack, blocked the whole time
        }

        List<JsonElement> records = ReadRecords();
        var same = OfType(records, "same").Where(r => RequestIdOf(r) == "job-1").ToList();
        Assert.NotEmpty(same);
        // While it sleeps. A tick between the sleep's return and the scope's end (its last ~10 ms) sees
        // the thread running on the same stack.
        Assert.All(same.Where(s => s.GetProperty("elapsedMs").GetDouble() < 1190), s => Assert.Equal("waiting", s.GetProperty("state").GetString()));
        int firstFull = OfType(records, "dump").Single(r => RequestIdOf(r) == "job-1" && r.GetProperty("elapsedMs").GetDouble() < 1190).GetProperty("dump").GetInt32();
        Assert.All(same.Where(s => s.GetProperty("elapsedMs").GetDouble() < 1190), s => Assert.Equal(firstFull, s.GetProperty("sameAs").GetInt32()));
    }

    [Fact]
    public async Task AsyncRequestIsFollowedAcrossThreadsAndRecordedAsAwaitingWhileOnNoThread()
    {
        using (LongRequestLogger logger = NewSamplingLogger())
        {
            using (AsyncRequestScope scope = logger.BeginAsyncRequest("GET /inventory", "http", "async-1"))
            {
                await SlowAsyncWork(TimeSpan.FromMilliseconds(600), TimeSpan.FromMilliseconds(900));
                scope.SetStatus(200);
            }

            WaitForEndRecord("async-1");
        }

        List<JsonElement> records = ReadRecords();
        var dumps = records.Where(r => r.GetProperty("type").GetString() is "dump" or "same").Where(r => RequestIdOf(r) == "async-1").ToList();
        string[] states = dumps.Select(d => d.GetProperty("state").GetString()!).ToArray();
        Assert.Contains("awaiting", states);
        Assert.Contains("running", states);
        Assert.Contains(OfType(records, "dump"), d => RequestIdOf(d) == "async-1"
            && d.GetProperty("state").GetString() == "running"
            && StackOf(records, d).GetProperty("frames").EnumerateArray().Any(f => f.GetProperty("name").GetString()!.Contains(nameof(AfterAwait), StringComparison.Ordinal)));
        Assert.Single(OfType(records, "end"), e => RequestIdOf(e) == "async-1");
    }

    [Fact]
    public void NoSessionRunsWhileNoRequestIsNearTheThreshold()
    {
        using LongRequestLogger logger = NewLogger(thresholdMs: 2000);
        for (int i = 0; i < 50; i++)
        {
            using (logger.BeginRequest("GET /fast"))
            {
                SlowSyncWork(TimeSpan.FromMilliseconds(5));
            }
        }

        Thread.Sleep(200);
        Assert.False(logger.IsSampling);
        Assert.Equal(0, logger.GetStatistics().Sampler.Sessions);
    }

    [Fact]
    public void SamplingSwitchesOnForASlowRequestAndOffWhenIdle()
    {
        // Sampling starts at T minus the lead (here 100 ms into the request); the session then takes
        // a fraction of a second (seconds on a loaded machine) to open: the request outlasts that.
        using LongRequestLogger logger = NewLogger(thresholdMs: 1000, configure: o => o.ActivationLead = TimeSpan.FromMilliseconds(900));
        using (logger.BeginRequest("GET /slow", "http", "slow-2"))
        {
            var waited = Stopwatch.StartNew();
            while (!logger.IsSampling && waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                SlowSyncWork(TimeSpan.FromMilliseconds(50));
            }

            Assert.True(logger.IsSampling);
            SlowSyncWork(TimeSpan.FromMilliseconds(1500));
        }

        // Idle stop: 300 ms after the end record, which waits for the late samples (up to 10 s).
        var clock = Stopwatch.StartNew();
        while (logger.IsSampling && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            Thread.Sleep(50);
        }

        Assert.False(logger.IsSampling);
        LongRequestLoggerStatistics stats = logger.GetStatistics();
        Assert.Equal(1, stats.Activations);
        Assert.Equal(1, stats.SlowRequests);
        Assert.True(stats.LastActivationLatency > TimeSpan.Zero);
        logger.Dispose();
        Assert.Contains(OfType(ReadRecords(), "dump"), d => RequestIdOf(d) == "slow-2" && d.GetProperty("elapsedMs").GetDouble() >= 1000);
    }

    [Fact]
    public void SecretsInNamesAndTagsNeverReachTheFile()
    {
        using (LongRequestLogger logger = NewSamplingLogger())
        using (logger.BeginRequest(
            "GET /orders/42?token=s3cr3t-token&page=2",
            "http",
            "secret-1",
            [new("Authorization", "Bearer s3cr3t-bearer"), new("Cookie", "session=s3cr3t-cookie"), new("User-Agent", "tests/1.0")]))
        {
            SlowSyncWork(TimeSpan.FromMilliseconds(700));
        }

        string text = string.Concat(Directory.GetFiles(_directory).Select(File.ReadAllText));
        Assert.DoesNotContain("s3cr3t", text);
        Assert.Contains("GET /orders/42?token=REDACTED&page=REDACTED", text);
        JsonElement end = Assert.Single(OfType(ReadRecords(), "end"));
        JsonElement tags = end.GetProperty("request").GetProperty("tags");
        Assert.Equal("REDACTED", tags.GetProperty("Authorization").GetString());
        Assert.Equal("REDACTED", tags.GetProperty("Cookie").GetString());
        Assert.Equal("tests/1.0", tags.GetProperty("User-Agent").GetString());
    }

    [Fact]
    public void RequestThatFailsIsRecordedWithItsError()
    {
        using (LongRequestLogger logger = NewSamplingLogger())
        {
            RequestScope scope = logger.BeginRequest("POST /fail", "http", "fail-1");
            try
            {
                SlowSyncWork(TimeSpan.FromMilliseconds(600));
                throw new InvalidOperationException("boom");
            }
            catch (InvalidOperationException ex)
            {
                scope.SetError(ex);
            }
            finally
            {
                scope.Dispose();
            }
        }

        JsonElement end = Assert.Single(OfType(ReadRecords(), "end"));
        Assert.Equal("error", end.GetProperty("outcome").GetString());
        Assert.Equal("System.InvalidOperationException", end.GetProperty("error").GetString());
    }

    [Fact]
    public void ARequestIsDumpedAtMostMaxDumpsTimesAndStillGetsItsEndRecord()
    {
        using (LongRequestLogger logger = NewSamplingLogger(configure: o => o.MaxDumpsPerRequest = 2))
        {
            using (logger.BeginRequest("GET /stuck", "http", "stuck-1"))
            {
                SlowSyncWork(TimeSpan.FromMilliseconds(1200));
            }

            WaitForEndRecord("stuck-1");
        }

        List<JsonElement> records = ReadRecords();
        var dumps = records.Where(r => r.GetProperty("type").GetString() is "dump" or "same").Where(r => RequestIdOf(r) == "stuck-1").ToList();
        Assert.Equal(2, dumps.Count);
        Assert.Equal(2, Assert.Single(OfType(records, "end")).GetProperty("dumps").GetInt32());
    }
}
