namespace StatProf.Overhead.Workloads;

/// <summary>
/// The lines a child and the driver exchange. The child prints <see cref="Ready"/> on stdout when it
/// is warmed up (and, when it samples continuously, once its session runs); the driver attaches an
/// outside profiler if the configuration has one, then writes <see cref="Go"/> on the child's stdin;
/// the CPU child works through its warm-up until the driver writes <see cref="Measure"/>, prints
/// <see cref="Measuring"/> when its measured window opens, then measures and prints
/// <see cref="ResultPrefix"/> followed by one JSON object.
/// </summary>
internal static class ChildProtocol
{
    public const string Ready = "ready";
    public const string Go = "go";
    public const string Measure = "measure";
    public const string Measuring = "measuring";
    public const string ResultPrefix = "result ";

    /// <summary>Exit code of a child that could not set its profiler up (one line on stderr says why).</summary>
    public const int SetupFailed = 4;

    /// <summary>Reads options of the form <c>--name value</c>.</summary>
    public static string Option(string[] args, string name, string fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    }

    public static int IntOption(string[] args, string name, int fallback) =>
        int.Parse(Option(args, name, fallback.ToString(System.Globalization.CultureInfo.InvariantCulture)), System.Globalization.CultureInfo.InvariantCulture);

    public static double DoubleOption(string[] args, string name, double fallback) =>
        double.Parse(Option(args, name, fallback.ToString(System.Globalization.CultureInfo.InvariantCulture)), System.Globalization.CultureInfo.InvariantCulture);
}
