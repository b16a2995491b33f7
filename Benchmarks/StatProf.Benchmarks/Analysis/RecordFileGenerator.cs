using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using StatProf.Benchmarks.Sampler.Internal;

namespace StatProf.Benchmarks.Analysis;

/// <summary>What <see cref="RecordFileGenerator"/> wrote.</summary>
/// <param name="Path">The file.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Samples"><c>dump</c> plus <c>same</c> lines.</param>
/// <param name="Dumps"><c>dump</c> lines.</param>
/// <param name="Sames"><c>same</c> lines.</param>
/// <param name="Requests">Requests (one <c>end</c> line each).</param>
/// <param name="DistinctStacks">Distinct stacks the dumps were drawn from.</param>
internal sealed record RecordFile(string Path, long Bytes, int Samples, int Dumps, int Sames, int Requests, int DistinctStacks)
{
    public double Megabytes => Bytes / 1e6;

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{System.IO.Path.GetFileName(Path)}: {Megabytes:F1} MB, {Samples:N0} samples ({Dumps:N0} dump + {Sames:N0} same lines, {100.0 * Sames / Samples:F1} % same), {Requests:N0} requests, {DistinctStacks} distinct stacks, {Bytes / (double)Samples:F0} B/sample");
}

/// <summary>
/// Writes realistic record files (docs/record-format.md) for the analysis benchmarks: a web
/// service's slow requests, their dumps interleaved in time order as the logger writes them.
/// Deterministic: a fixed seed, so every run and every benchmark process reads the same bytes.
/// </summary>
/// <remarks>
/// <para>
/// Stacks look like the ones the demo shop records: a thread-pool and Kestrel root (one of two
/// middleware chains), an endpoint's handler, a path down that endpoint's tree of application
/// methods, and a leaf helper family (CPU work such as dictionary lookups, decimal maths or JSON
/// serialization; or a blocking wait: a SQL round trip, a lock, a socket, a sleep). Stacks are 20–40
/// frames deep and share their prefixes; a few hundred distinct ones exist. Frame names are the
/// full IL-style signatures the sampler writes (about 120 characters, up to 280).
/// </para>
/// <para>
/// Each request is dumped 10–60 times. A dump whose stack equals the previous one is written as
/// a short <c>same</c> line, as the logger does; the generator repeats the stack with probability
/// 0.4, so about 40 % of sample lines are <c>same</c>. Every request ends with an <c>end</c> line; a
/// <c>stats</c> line is written every simulated minute. Times, elapsed milliseconds and dump numbers
/// are consistent, so the analysis sees real intervals.
/// </para>
/// <para>
/// Files are cached: a run's benchmark processes share them (in the run's folder that
/// <c>Program</c> deletes at the end, or else in <c>statprof-analysis-benchmarks</c> under the temp
/// directory), keyed by sample count, seed and <see cref="Version"/>.
/// </para>
/// </remarks>
internal static class RecordFileGenerator
{
    /// <summary>Bump when the generated content changes, so that cached files are not reused.</summary>
    public const int Version = 2;

    /// <summary>The fixed seed: the same file on every run.</summary>
    public const int Seed = 20261121;

    private const double ThresholdMs = 1000;
    private const double IntervalMs = 200;
    private const double SameProbability = 0.4;
    private const int MinDumps = 10;
    private const int MaxDumps = 60;
    private const int WorkerThreads = 48;
    private const int Pid = 4711;

    private static readonly DateTime Origin = new(2026, 11, 21, 21, 40, 0, DateTimeKind.Utc);
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The cached file with exactly <paramref name="samples"/> samples in record format
    /// <paramref name="format"/> (2: each stack once as a <c>stack</c> line; 1: every dump carries its
    /// stack), written now if missing. Both formats hold the same workload, line for line.
    /// </summary>
    public static RecordFile GetOrCreate(int samples, int format = 2)
    {
        string? shared = Environment.GetEnvironmentVariable(SelfTrace.DirectoryVariable);
        string folder = string.IsNullOrEmpty(shared)
            ? Path.Combine(Path.GetTempPath(), "statprof-analysis-benchmarks")
            : Path.Combine(shared, "analysis");
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, $"records-{samples}-seed{Seed}-v{Version}-format{format}.jsonl");
        string summary = path + ".summary";
        if (File.Exists(path) && File.Exists(summary) && Parse(path, File.ReadAllText(summary)) is { } cached && cached.Bytes == new FileInfo(path).Length)
        {
            return cached;
        }

        string temporary = $"{path}.{Environment.ProcessId}.tmp";
        RecordFile written = Write(temporary, samples, format);
        File.Move(temporary, path, overwrite: true);
        written = written with { Path = path };
        File.WriteAllText(summary, string.Create(CultureInfo.InvariantCulture, $"{written.Bytes} {written.Samples} {written.Dumps} {written.Sames} {written.Requests} {written.DistinctStacks}"));
        return written;
    }

    /// <summary>Writes a file of exactly <paramref name="samples"/> samples (dump and same lines) in record format <paramref name="format"/>.</summary>
    public static RecordFile Write(string path, int samples, int format = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(format, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(format, 2);
        var stacksWritten = new HashSet<int>();

        // Fixed seed (STYLE.md §8): the workload is identical on every run.
        var random = new Random(Seed);
        var shop = new Shop(random);
        var names = new Names();
        var buffer = new ArrayBufferWriter<byte>(1 << 20);
        using var writer = new Utf8JsonWriter(buffer, WriterOptions);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.SequentialScan);

        var pending = new PriorityQueue<Live, long>();
        int planned = 0, requests = 0, dumps = 0, sames = 0, records = 0;
        long arrival = Origin.Ticks;
        long nextStats = Origin.Ticks + TimeSpan.TicksPerMinute;
        long last = Origin.Ticks;

        WriteHeader(writer, names, format);
        EndLine(writer, buffer, file);

        // Requests arrive every 40–200 ms and are dumped every 200 ms from 1 s on, 10–60 times:
        // about 60 are being dumped at any time, so their lines interleave as in a real file.
        while (planned < samples || pending.Count > 0)
        {
            if (planned < samples && (pending.Count == 0 || arrival <= PeekTime(pending)))
            {
                int count = Math.Min(random.Next(MinDumps, MaxDumps + 1), samples - planned);
                planned += count;
                Live request = shop.NewRequest(requests++, arrival, count, random);
                pending.Enqueue(request, request.NextTime);
                arrival += random.Next(40 * (int)TimeSpan.TicksPerMillisecond, 200 * (int)TimeSpan.TicksPerMillisecond);
                continue;
            }

            Live live = pending.Dequeue();
            last = live.NextTime;
            while (live.NextTime >= nextStats)
            {
                WriteStats(writer, names, nextStats, records, requests);
                EndLine(writer, buffer, file);
                nextStats += TimeSpan.TicksPerMinute;
            }

            if (live.Done == live.Count)
            {
                WriteEnd(writer, names, live, random);
                EndLine(writer, buffer, file);
                records++;
                continue;
            }

            live.Done++;
            int previous = live.Stack;
            if (live.Done > 1 && random.NextDouble() < SameProbability)
            {
                WriteSame(writer, names, live);
                sames++;
            }
            else
            {
                live.Stack = shop.NextStack(live, previous, random);
                live.LastDumpNumber = live.Done;
                if (format == 2 && stacksWritten.Add(live.Stack))
                {
                    WriteStack(writer, names, shop, live.Stack, live.NextTime); // once, before its first dump
                    EndLine(writer, buffer, file);
                }

                WriteDump(writer, names, shop, live, format);
                dumps++;
            }

            EndLine(writer, buffer, file);
            records++;
            live.NextTime = live.Done < live.Count
                ? live.Start + (long)((ThresholdMs + (live.Done * IntervalMs)) * TimeSpan.TicksPerMillisecond) + Jitter(random)
                : live.Start + (long)((ThresholdMs + ((live.Done - 1) * IntervalMs)) * TimeSpan.TicksPerMillisecond) + random.Next(1, (int)IntervalMs * 10_000);
            pending.Enqueue(live, live.NextTime);
        }

        WriteStats(writer, names, last + TimeSpan.TicksPerSecond, records, requests); // at shutdown
        EndLine(writer, buffer, file);
        Flush(buffer, file, force: true);
        return new RecordFile(path, file.Length, dumps + sames, dumps, sames, requests, shop.StackCount);
    }

    /// <summary>How late the sampler's tick comes: 0–5 ms, in ticks.</summary>
    private static long Jitter(Random random) => random.Next(0, 5 * (int)TimeSpan.TicksPerMillisecond);

    private static long PeekTime(PriorityQueue<Live, long> pending)
    {
        pending.TryPeek(out _, out long time);
        return time;
    }

    private static RecordFile? Parse(string path, string summary)
    {
        string[] parts = summary.Split(' ');
        return parts.Length == 6
            ? new RecordFile(path, long.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture), int.Parse(parts[3], CultureInfo.InvariantCulture), int.Parse(parts[4], CultureInfo.InvariantCulture), int.Parse(parts[5], CultureInfo.InvariantCulture))
            : null;
    }

    private static void EndLine(Utf8JsonWriter writer, ArrayBufferWriter<byte> buffer, FileStream file)
    {
        writer.Flush();
        buffer.GetSpan(1)[0] = (byte)'\n';
        buffer.Advance(1);
        writer.Reset(buffer); // a new root value: the next line
        Flush(buffer, file, force: false);
    }

    private static void Flush(ArrayBufferWriter<byte> buffer, FileStream file, bool force)
    {
        if (force || buffer.WrittenCount >= 1 << 20)
        {
            file.Write(buffer.WrittenSpan);
            buffer.ResetWrittenCount();
        }
    }

    private static void WriteTime(Utf8JsonWriter writer, JsonEncodedText name, long ticks)
    {
        Span<byte> text = stackalloc byte[40];
        new DateTime(ticks, DateTimeKind.Utc).TryFormat(text, out int written, "O", CultureInfo.InvariantCulture);
        writer.WriteString(name, text[..written]);
    }

    private static double Ms(long ticks) => Math.Round(ticks / (double)TimeSpan.TicksPerMillisecond, 1);

    private static void WriteHeader(Utf8JsonWriter writer, Names n, int format)
    {
        writer.WriteStartObject();
        writer.WriteString(n.Type, "header");
        WriteTime(writer, n.Time, Origin.Ticks - TimeSpan.TicksPerSecond);
        writer.WriteString("format", "statprof-records");
        writer.WriteNumber("version", format);
        writer.WriteStartObject("process");
        writer.WriteNumber("pid", Pid);
        writer.WriteString("name", "ShopDemo");
        writer.WriteString("runtime", ".NET 10.0.12");
        writer.WriteEndObject();
        writer.WriteNumber("thresholdMs", ThresholdMs);
        writer.WriteNumber("intervalMs", IntervalMs);
        writer.WriteBoolean("continuation", false);
        writer.WriteEndObject();
    }

    private static void WriteRequest(Utf8JsonWriter writer, Names n, Live live)
    {
        writer.WriteStartObject(n.Request);
        writer.WriteString(n.Id, live.Id);
        writer.WriteString(n.Kind, n.Http);
        writer.WriteString(n.Name, live.Name);
        WriteTime(writer, n.StartedAt, live.Start);
        writer.WriteString(n.TraceId, live.TraceId);
        writer.WriteStartObject(n.Tags);
        writer.WriteString(n.UserAgent, live.UserAgent);
        writer.WriteString(n.Authorization, n.Redacted);
        writer.WriteString(n.Tenant, live.Tenant);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteThread(Utf8JsonWriter writer, Names n, Live live)
    {
        writer.WriteStartObject(n.Thread);
        writer.WriteNumber(n.Os, live.OsThread);
        writer.WriteNumber(n.Managed, live.ManagedThread);
        writer.WriteEndObject();
    }

    private static void WriteFramesAndTraceback(Utf8JsonWriter writer, Names n, Shop.StackText stack)
    {
        writer.WriteStartArray(n.Frames);
        foreach (Shop.FrameText frame in stack.Frames)
        {
            writer.WriteStartObject();
            writer.WriteString(n.Name, frame.Name);
            writer.WriteString(n.Module, frame.Module);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteString(n.Traceback, stack.Traceback);
    }

    private static void WriteStack(Utf8JsonWriter writer, Names n, Shop shop, int stackIndex, long time)
    {
        Shop.StackText stack = shop.Stack(stackIndex);
        writer.WriteStartObject();
        writer.WriteString(n.Type, "stack");
        WriteTime(writer, n.Time, time);
        writer.WriteNumber("id", stackIndex + 1);
        writer.WriteBoolean(n.Truncated, false);
        WriteFramesAndTraceback(writer, n, stack);
        writer.WriteEndObject();
    }

    private static void WriteDump(Utf8JsonWriter writer, Names n, Shop shop, Live live, int format)
    {
        Shop.StackText stack = shop.Stack(live.Stack);
        writer.WriteStartObject();
        writer.WriteString(n.Type, n.Dump);
        WriteTime(writer, n.Time, live.NextTime);
        if (format == 2)
        {
            // As the writer does: the stack by id, the request last.
            writer.WriteNumber(n.ElapsedMs, Ms(live.NextTime - live.Start));
            writer.WriteNumber(n.DumpNumber, live.Done);
            WriteThread(writer, n, live);
            writer.WriteString(n.State, stack.Waiting ? n.Waiting : n.Running);
            writer.WriteNumber("stack", live.Stack + 1);
            WriteRequest(writer, n, live);
            writer.WriteEndObject();
            return;
        }

        WriteRequest(writer, n, live);
        writer.WriteNumber(n.ElapsedMs, Ms(live.NextTime - live.Start));
        writer.WriteNumber(n.DumpNumber, live.Done);
        WriteThread(writer, n, live);
        writer.WriteString(n.State, stack.Waiting ? n.Waiting : n.Running);

        writer.WriteBoolean(n.Truncated, false);
        WriteFramesAndTraceback(writer, n, stack);
        writer.WriteEndObject();
    }

    private static void WriteSame(Utf8JsonWriter writer, Names n, Live live)
    {
        writer.WriteStartObject();
        writer.WriteString(n.Type, n.Same);
        WriteTime(writer, n.Time, live.NextTime);
        writer.WriteString(n.RequestId, live.Id);
        writer.WriteNumber(n.ElapsedMs, Ms(live.NextTime - live.Start));
        writer.WriteNumber(n.DumpNumber, live.Done);
        WriteThread(writer, n, live);
        writer.WriteString(n.State, live.Waiting ? n.Waiting : n.Running);
        writer.WriteNumber(n.SameAs, live.LastDumpNumber);
        writer.WriteEndObject();
    }

    private static void WriteEnd(Utf8JsonWriter writer, Names n, Live live, Random random)
    {
        int roll = random.Next(100);
        writer.WriteStartObject();
        writer.WriteString(n.Type, n.End);
        WriteTime(writer, n.Time, live.NextTime);
        WriteRequest(writer, n, live);
        writer.WriteNumber(n.DurationMs, Ms(live.NextTime - live.Start));
        writer.WriteNumber(n.Dumps, live.Count);
        writer.WriteString(n.Outcome, roll < 96 ? "ok" : roll < 99 ? "error" : "cancelled");
        if (roll < 99)
        {
            writer.WriteNumber(n.Status, roll < 96 ? 200 : 500);
        }
        else
        {
            writer.WriteNull(n.Status);
        }

        if (roll is >= 96 and < 99)
        {
            writer.WriteString(n.Error, "System.TimeoutException");
        }
        else
        {
            writer.WriteNull(n.Error);
        }

        writer.WriteEndObject();
    }

    private static void WriteStats(Utf8JsonWriter writer, Names n, long ticks, int records, int requests)
    {
        long ticksSeen = (ticks - Origin.Ticks) / (TimeSpan.TicksPerMillisecond * 10);
        writer.WriteStartObject();
        writer.WriteString(n.Type, "stats");
        WriteTime(writer, n.Time, ticks);
        writer.WriteStartObject("sampler");
        writer.WriteNumber("ticks", ticksSeen);
        writer.WriteNumber("samplesSeen", ticksSeen * 20);
        writer.WriteNumber("samplesKept", ticksSeen * 12);
        writer.WriteNumber("samplesFilteredOut", ticksSeen * 8);
        writer.WriteNumber("droppedByOverflow", 0);
        writer.WriteNumber("lostByRuntime", 0);
        writer.WriteNumber("truncatedStacks", 0);
        writer.WriteNumber("stackTableFull", 0);
        writer.WriteNumber("trims", ticksSeen / 6000);
        writer.WriteNumber("sessions", 1);
        writer.WriteNumber("faults", 0);
        writer.WriteEndObject();
        writer.WriteNumber("recordsWritten", records);
        writer.WriteNumber("recordsDropped", 0);
        writer.WriteNumber("slowRequests", requests);
        writer.WriteNumber("activations", 1);
        writer.WriteEndObject();
    }

    /// <summary>A request being dumped.</summary>
    private sealed class Live
    {
        public required string Id { get; init; }

        public required string Name { get; init; }

        public required string TraceId { get; init; }

        public required string UserAgent { get; init; }

        public required string Tenant { get; init; }

        public required int Endpoint { get; init; }

        public required int Chain { get; init; }

        public required long Start { get; init; }

        public required int Count { get; init; }

        public required int OsThread { get; init; }

        public required int ManagedThread { get; init; }

        public long NextTime { get; set; }

        public int Done { get; set; }

        public int Stack { get; set; } = -1;

        public int LastDumpNumber { get; set; }

        public bool Waiting { get; set; }
    }

    /// <summary>Property names and fixed values, encoded once.</summary>
    private sealed class Names
    {
        public readonly JsonEncodedText Type = JsonEncodedText.Encode("type");
        public readonly JsonEncodedText Time = JsonEncodedText.Encode("time");
        public readonly JsonEncodedText Request = JsonEncodedText.Encode("request");
        public readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
        public readonly JsonEncodedText Kind = JsonEncodedText.Encode("kind");
        public readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
        public readonly JsonEncodedText StartedAt = JsonEncodedText.Encode("startedAt");
        public readonly JsonEncodedText TraceId = JsonEncodedText.Encode("traceId");
        public readonly JsonEncodedText Tags = JsonEncodedText.Encode("tags");
        public readonly JsonEncodedText UserAgent = JsonEncodedText.Encode("User-Agent");
        public readonly JsonEncodedText Authorization = JsonEncodedText.Encode("Authorization");
        public readonly JsonEncodedText Tenant = JsonEncodedText.Encode("tenant");
        public readonly JsonEncodedText Redacted = JsonEncodedText.Encode("REDACTED");
        public readonly JsonEncodedText Http = JsonEncodedText.Encode("http");
        public readonly JsonEncodedText ElapsedMs = JsonEncodedText.Encode("elapsedMs");
        public readonly JsonEncodedText DumpNumber = JsonEncodedText.Encode("dump");
        public readonly JsonEncodedText Thread = JsonEncodedText.Encode("thread");
        public readonly JsonEncodedText Os = JsonEncodedText.Encode("os");
        public readonly JsonEncodedText Managed = JsonEncodedText.Encode("managed");
        public readonly JsonEncodedText State = JsonEncodedText.Encode("state");
        public readonly JsonEncodedText Running = JsonEncodedText.Encode("running");
        public readonly JsonEncodedText Waiting = JsonEncodedText.Encode("waiting");
        public readonly JsonEncodedText Truncated = JsonEncodedText.Encode("truncated");
        public readonly JsonEncodedText Frames = JsonEncodedText.Encode("frames");
        public readonly JsonEncodedText Module = JsonEncodedText.Encode("module");
        public readonly JsonEncodedText Traceback = JsonEncodedText.Encode("traceback");
        public readonly JsonEncodedText RequestId = JsonEncodedText.Encode("requestId");
        public readonly JsonEncodedText SameAs = JsonEncodedText.Encode("sameAs");
        public readonly JsonEncodedText DurationMs = JsonEncodedText.Encode("durationMs");
        public readonly JsonEncodedText Dumps = JsonEncodedText.Encode("dumps");
        public readonly JsonEncodedText Outcome = JsonEncodedText.Encode("outcome");
        public readonly JsonEncodedText Status = JsonEncodedText.Encode("status");
        public readonly JsonEncodedText Error = JsonEncodedText.Encode("error");
        public readonly JsonEncodedText Dump = JsonEncodedText.Encode("dump");
        public readonly JsonEncodedText Same = JsonEncodedText.Encode("same");
        public readonly JsonEncodedText End = JsonEncodedText.Encode("end");
    }

    /// <summary>
    /// The service: its endpoints, each with a tree of application methods, and the distinct stacks
    /// dumps are drawn from (root first), with their frames and tracebacks encoded once.
    /// </summary>
    private sealed class Shop
    {
        private const string CoreLib = "System.Private.CoreLib";
        private const string StateMachineBox = "System.Runtime.CompilerServices.AsyncTaskMethodBuilder`1+AsyncStateMachineBox`1[System.Threading.Tasks.VoidTaskResult,Microsoft.AspNetCore.Server.Kestrel.Core.Internal.Http.HttpProtocol+<ProcessRequests>d__237`1[System.__Canon]]";

        private static readonly (string Name, string Module)[] ThreadPoolAndKestrel =
        [
            ("System.Threading.Thread.StartCallback()", CoreLib),
            ("System.Threading.PortableThreadPool+WorkerThread.WorkerThreadStart()", CoreLib),
            ("System.Threading.ThreadPoolWorkQueue.Dispatch()", CoreLib),
            (StateMachineBox + ".ExecuteFromThreadPool(class System.Threading.Thread)", CoreLib),
            (StateMachineBox + ".MoveNext(class System.Threading.Thread)", CoreLib),
            ("System.Threading.ExecutionContext.RunFromThreadPoolDispatchLoop(class System.Threading.Thread,class System.Threading.ExecutionContext,class System.Threading.ContextCallback,class System.Object)", CoreLib),
            (StateMachineBox + ".ExecutionContextCallback(class System.Object)", CoreLib),
            ("Microsoft.AspNetCore.Server.Kestrel.Core.Internal.Http.HttpProtocol+<ProcessRequests>d__237`1[System.__Canon].MoveNext()", "Microsoft.AspNetCore.Server.Kestrel.Core"),
            ("Microsoft.AspNetCore.HostFiltering.HostFilteringMiddleware.Invoke(class Microsoft.AspNetCore.Http.HttpContext)", "Microsoft.AspNetCore.HostFiltering"),
        ];

        private static readonly (string Name, string Module)[] Authentication =
        [
            ("Microsoft.AspNetCore.Authentication.AuthenticationMiddleware.Invoke(class Microsoft.AspNetCore.Http.HttpContext)", "Microsoft.AspNetCore.Authentication"),
            ("System.Runtime.CompilerServices.AsyncTaskMethodBuilder.Start(!!0&)", CoreLib),
            ("System.Runtime.CompilerServices.AsyncMethodBuilderCore.Start(!!0&)", CoreLib),
            ("Microsoft.AspNetCore.Authentication.AuthenticationMiddleware+<Invoke>d__6.MoveNext()", "Microsoft.AspNetCore.Authentication"),
            ("Microsoft.AspNetCore.Authorization.AuthorizationMiddleware.Invoke(class Microsoft.AspNetCore.Http.HttpContext)", "Microsoft.AspNetCore.Authorization"),
        ];

        private static readonly (string Name, string Module)[] StatProfAndRouting =
        [
            ("StatProf.AspNetCore.StatProfMiddleware.InvokeAsync(class Microsoft.AspNetCore.Http.HttpContext)", "StatProf.AspNetCore"),
            ("System.Runtime.CompilerServices.AsyncTaskMethodBuilder.Start(!!0&)", CoreLib),
            ("System.Runtime.CompilerServices.AsyncMethodBuilderCore.Start(!!0&)", CoreLib),
            ("StatProf.AspNetCore.StatProfMiddleware+<InvokeAsync>d__4.MoveNext()", "StatProf.AspNetCore"),
            ("Microsoft.AspNetCore.Routing.EndpointMiddleware.Invoke(class Microsoft.AspNetCore.Http.HttpContext)", "Microsoft.AspNetCore.Routing"),
        ];

        private static readonly string[] Areas = ["Orders", "Catalog", "Inventory", "Pricing", "Customers", "Shipping", "Payments", "Reports"];
        private static readonly string[] Roles = ["Service", "Repository", "Calculator", "Validator", "Mapper", "Builder", "Cache", "Policy"];
        private static readonly string[] Verbs = ["Load", "Find", "Validate", "Compute", "Apply", "Map", "Build", "Resolve", "Merge", "Check", "Price", "Enrich"];
        private static readonly string[] Nouns = ["Order", "OrderLine", "Product", "StockLevel", "Customer", "Discount", "Shipment", "Invoice", "Basket", "Rule"];

        private static readonly (string Method, string Route)[] Endpoints =
        [
            ("GetOrder(int32,class Shop.Orders.OrderService)", "GET /orders/{0}?token=REDACTED"),
            ("PlaceOrder(class Shop.Orders.OrderRequest,class Shop.Orders.OrderService)", "POST /orders"),
            ("SearchCatalog(class System.String,int32,class Shop.Catalog.CatalogService)", "GET /catalog/search?q=REDACTED&page={0}"),
            ("GetProduct(int32,class Shop.Catalog.CatalogService)", "GET /catalog/products/{0}"),
            ("GetInventory(class Shop.Inventory.InventoryService)", "GET /inventory"),
            ("ReserveStock(int32,int32,class Shop.Inventory.InventoryService)", "POST /inventory/{0}/reserve"),
            ("QuoteShipping(class Shop.Shipping.QuoteRequest,class Shop.Shipping.ShippingService)", "POST /shipping/quote"),
            ("GetCustomer(int32,class Shop.Customers.CustomerService)", "GET /customers/{0}"),
            ("Checkout(class Shop.Payments.CheckoutRequest,class Shop.Payments.PaymentService)", "POST /checkout"),
            ("StockReport(class Shop.Reports.StockReport)", "GET /reports/stock"),
            ("SalesReport(int32,class Shop.Reports.SalesReport)", "GET /reports/sales?month={0}"),
            ("GetBasket(int32,class Shop.Orders.BasketService)", "GET /baskets/{0}"),
        ];

        // Leaf helper families, root first; a family marked waiting blocks (the sample's state).
        private static readonly (bool Waiting, (string Name, string Module)[] Frames)[] Leaves =
        [
            (false, [("System.Collections.Generic.Dictionary`2[System.__Canon,System.__Canon].FindValue(!0)", CoreLib)]),
            (false, [("System.Collections.Generic.Dictionary`2[System.__Canon,System.__Canon].TryGetValue(!0,!1&)", CoreLib), ("System.Collections.Generic.Dictionary`2[System.__Canon,System.__Canon].FindValue(!0)", CoreLib)]),
            (false, [("System.Decimal.op_Multiply(value class System.Decimal,value class System.Decimal)", CoreLib), ("System.Decimal+DecCalc.VarDecMul(value class DecCalc&,value class DecCalc&)", CoreLib)]),
            (false, [("System.Decimal.op_Addition(value class System.Decimal,value class System.Decimal)", CoreLib), ("System.Decimal+DecCalc.DecAddSub(value class DecCalc&,value class DecCalc&,bool)", CoreLib)]),
            (false, [("System.String.Concat(class System.String,class System.String,class System.String)", CoreLib)]),
            (false, [("System.Linq.Enumerable.ToList(class System.Collections.Generic.IEnumerable`1<!!0>)", "System.Linq"), ("System.Collections.Generic.List`1[System.__Canon]..ctor(class System.Collections.Generic.IEnumerable`1<!0>)", CoreLib)]),
            (false,
            [
                ("System.Text.Json.JsonSerializer.Serialize(class System.Text.Json.Utf8JsonWriter,!!0,class System.Text.Json.Serialization.Metadata.JsonTypeInfo`1<!!0>)", "System.Text.Json"),
                ("System.Text.Json.Serialization.JsonConverter`1[System.__Canon].WriteCore(class System.Text.Json.Utf8JsonWriter,!0&,class System.Text.Json.JsonSerializerOptions,value class System.Text.Json.WriteStack&)", "System.Text.Json"),
                ("System.Text.Json.Serialization.Converters.ObjectDefaultConverter`1[System.__Canon].OnTryWrite(class System.Text.Json.Utf8JsonWriter,!0,class System.Text.Json.JsonSerializerOptions,value class System.Text.Json.WriteStack&)", "System.Text.Json"),
                ("System.Text.Json.Utf8JsonWriter.WriteStringMinimized(value class System.ReadOnlySpan`1<unsigned int8>,value class System.ReadOnlySpan`1<wchar>)", "System.Text.Json"),
            ]),
            (true,
            [
                ("Microsoft.Data.SqlClient.SqlCommand.ExecuteReader(value class System.Data.CommandBehavior)", "Microsoft.Data.SqlClient"),
                ("Microsoft.Data.SqlClient.SqlCommand.RunExecuteReaderTds(value class System.Data.CommandBehavior,value class Microsoft.Data.SqlClient.RunBehavior,bool,int32,class System.Threading.Tasks.Task&,bool,bool,class Microsoft.Data.SqlClient.SqlDataReader,bool)", "Microsoft.Data.SqlClient"),
                ("Microsoft.Data.SqlClient.TdsParserStateObject.TryReadNetworkPacket()", "Microsoft.Data.SqlClient"),
                ("Microsoft.Data.SqlClient.TdsParserStateObject.ReadSniSyncOverAsync()", "Microsoft.Data.SqlClient"),
                ("[native code]", string.Empty),
            ]),
            (true, [("System.Threading.Monitor.Enter(class System.Object,bool&)", CoreLib), ("System.Threading.Monitor.Enter_Slowpath(class System.Object)", CoreLib), ("[native code]", string.Empty)]),
            (true, [("System.Net.Http.HttpClient.Send(class System.Net.Http.HttpRequestMessage,value class System.Net.Http.HttpCompletionOption,value class System.Threading.CancellationToken)", "System.Net.Http"), ("System.Threading.Tasks.Task.SpinThenBlockingWait(int32,value class System.Threading.CancellationToken)", CoreLib), ("System.Threading.ManualResetEventSlim.Wait(int32,value class System.Threading.CancellationToken)", CoreLib), ("[native code]", string.Empty)]),
            (true, [("System.Threading.Thread.Sleep(int32)", CoreLib), ("[native code]", string.Empty)]),
        ];

        private readonly List<StackText> _stacks = [];
        private readonly List<int>[] _byEndpoint; // stack ids of an endpoint, by chain: [endpoint * 2 + chain]
        private readonly double[][] _weights;     // per endpoint: cumulative pick weights of its stacks (a few hot ones)

        public Shop(Random random)
        {
            var appFrames = new List<(string Name, string Module)>();
            foreach (string area in Areas)
            {
                foreach (string role in Roles)
                {
                    string verb = Verbs[random.Next(Verbs.Length)];
                    string noun = Nouns[random.Next(Nouns.Length)];
                    appFrames.Add(($"Shop.{area}.{noun}{role}.{verb}{noun}(class Shop.{area}.{noun},value class System.Threading.CancellationToken)", "Shop"));
                    appFrames.Add(($"Shop.{area}.{noun}{role}.{verb}{Nouns[random.Next(Nouns.Length)]}s(class System.Collections.Generic.IReadOnlyList`1<class Shop.{area}.{noun}>,int32)", "Shop"));
                }
            }

            _byEndpoint = new List<int>[Endpoints.Length * 2];
            _weights = new double[Endpoints.Length * 2][];
            for (int endpoint = 0; endpoint < Endpoints.Length; endpoint++)
            {
                // The endpoint's call tree: each method calls 1–3 others; 30 walks down it give
                // stacks that share long prefixes, as a real endpoint's dumps do.
                var children = new Dictionary<string, (string Name, string Module)[]>();
                (string, string) handler = ($"Shop.Api.ShopEndpoints.{Endpoints[endpoint].Method}", "Shop");
                (string, string) lambda = ($"dynamicClass.lambda_method{endpoint + 3}(pMT: 0x7f0188ac7088,class System.Object,pMT: 0x7f0187812de8)", "Anonymously Hosted DynamicMethods Assembly");
                var paths = new HashSet<string>(StringComparer.Ordinal);
                var walks = new List<((string Name, string Module)[] App, int Leaf)>();
                for (int walk = 0; walk < 30; walk++)
                {
                    var app = new List<(string Name, string Module)> { lambda, handler };
                    int depth = random.Next(3, 14);
                    (string Name, string Module) node = handler;
                    for (int level = 0; level < depth; level++)
                    {
                        if (!children.TryGetValue(node.Name, out (string Name, string Module)[]? next))
                        {
                            next = new (string, string)[random.Next(1, 4)];
                            for (int c = 0; c < next.Length; c++)
                            {
                                next[c] = appFrames[random.Next(appFrames.Count)];
                            }

                            children[node.Name] = next;
                        }

                        node = next[random.Next(next.Length)];
                        app.Add(node);
                    }

                    int leaf = random.Next(Leaves.Length);
                    if (paths.Add(string.Join('|', app.Select(f => f.Name)) + "#" + leaf))
                    {
                        walks.Add((app.ToArray(), leaf));
                    }
                }

                for (int chain = 0; chain < 2; chain++)
                {
                    var ids = new List<int>();
                    foreach (((string Name, string Module)[] app, int leaf) in walks)
                    {
                        var frames = new List<(string Name, string Module)>(ThreadPoolAndKestrel);
                        if (chain == 1)
                        {
                            frames.AddRange(Authentication);
                        }

                        frames.AddRange(StatProfAndRouting);
                        frames.AddRange(app);
                        frames.AddRange(Leaves[leaf].Frames);
                        if (frames.Count is >= 20 and <= 40)
                        {
                            ids.Add(_stacks.Count);
                            _stacks.Add(new StackText(frames, Leaves[leaf].Waiting));
                        }
                    }

                    _byEndpoint[(endpoint * 2) + chain] = ids;

                    // Zipf-like weights: an endpoint spends most of its time in a few stacks.
                    var cumulative = new double[ids.Count];
                    double sum = 0;
                    for (int i = 0; i < ids.Count; i++)
                    {
                        sum += 1.0 / (i + 1);
                        cumulative[i] = sum;
                    }

                    _weights[(endpoint * 2) + chain] = cumulative;
                }
            }
        }

        public int StackCount => _stacks.Count;

        public StackText Stack(int id) => _stacks[id];

        public Live NewRequest(int number, long start, int dumps, Random random)
        {
            // Endpoints by popularity (the first ones are hit most); one request in five goes
            // through the authentication middleware too.
            int endpoint = Math.Min((int)(Endpoints.Length * Math.Pow(random.NextDouble(), 1.6)), Endpoints.Length - 1);
            int chain = random.Next(5) == 0 ? 1 : 0;
            int thread = random.Next(WorkerThreads);
            Span<byte> trace = stackalloc byte[16];
            random.NextBytes(trace);
            return new Live
            {
                Id = string.Create(CultureInfo.InvariantCulture, $"0HNQ83E7{number / 100:X5}:{(number % 100) + 1:X8}"),
                Name = string.Format(CultureInfo.InvariantCulture, Endpoints[endpoint].Route, random.Next(1, 100_000)),
                TraceId = Convert.ToHexStringLower(trace),
                UserAgent = random.Next(3) switch { 0 => "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36", 1 => "ShopMobile/4.2 (iOS 18.1)", _ => "k6/0.55.0 (https://k6.io/)" },
                Tenant = string.Create(CultureInfo.InvariantCulture, $"tenant-{random.Next(1, 40):D3}"),
                Endpoint = endpoint,
                Chain = chain,
                Start = start,
                Count = dumps,
                OsThread = 31000 + thread,
                ManagedThread = 8 + thread,
                NextTime = start + (long)(ThresholdMs * TimeSpan.TicksPerMillisecond) + Jitter(random),
            };
        }

        /// <summary>A stack for the request's next dump that differs from <paramref name="previous"/>.</summary>
        public int NextStack(Live live, int previous, Random random)
        {
            List<int> ids = _byEndpoint[(live.Endpoint * 2) + live.Chain];
            double[] cumulative = _weights[(live.Endpoint * 2) + live.Chain];
            while (true)
            {
                int index = Array.BinarySearch(cumulative, random.NextDouble() * cumulative[^1]);
                int id = ids[Math.Min(index < 0 ? ~index : index, ids.Count - 1)];
                if (id != previous || ids.Count == 1)
                {
                    live.Waiting = _stacks[id].Waiting;
                    return id;
                }
            }
        }

        public readonly record struct FrameText(JsonEncodedText Name, JsonEncodedText Module);

        public sealed class StackText
        {
            public StackText(List<(string Name, string Module)> rootFirst, bool waiting)
            {
                Waiting = waiting;
                Frames = rootFirst.Select(f => new FrameText(JsonEncodedText.Encode(f.Name, JavaScriptEncoder.UnsafeRelaxedJsonEscaping), JsonEncodedText.Encode(f.Module, JavaScriptEncoder.UnsafeRelaxedJsonEscaping))).ToArray();
                Traceback = JsonEncodedText.Encode(string.Join('\n', rootFirst.AsEnumerable().Reverse().Select(f => "   at " + f.Name)), JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
            }

            public bool Waiting { get; }

            public FrameText[] Frames { get; }

            public JsonEncodedText Traceback { get; }
        }
    }
}
