using System.Globalization;
using System.Net;
using System.Text;

namespace StatProf.Overhead.Harness;

/// <summary>A named line of points in a <see cref="SvgPlot"/>.</summary>
internal sealed record PlotSeries(string Name, IReadOnlyList<(double X, double Y)> Points, string Color, bool Dashed = false);

/// <summary>
/// A line chart written as SVG text. Written by hand because the plotting libraries that save SVG
/// (ScottPlot 5, OxyPlot) are not on this project's NuGet mirror (restore failed: "No packages exist
/// with this id"); an SVG line chart is a few elements, and this one has no dependency at all.
/// Logarithmic axes take positive values only; points that are not are left out.
/// </summary>
internal sealed class SvgPlot(string title, string xLabel, string yLabel, bool logX, bool logY)
{
    private const int Width = 720;
    private const int Height = 440;
    private const int Left = 80;
    private const int Right = 200;
    private const int Top = 50;
    private const int Bottom = 60;

    private readonly List<PlotSeries> _series = [];

    public SvgPlot Add(PlotSeries series)
    {
        _series.Add(series);
        return this;
    }

    public string Render()
    {
        var points = _series.SelectMany(s => s.Points).Where(p => Usable(p.X, logX) && Usable(p.Y, logY)).ToArray();
        (double x0, double x1) = points.Length == 0 ? (1, 10) : Range(points.Select(p => p.X), logX, includeZero: false);
        (double y0, double y1) = points.Length == 0 ? (1, 10) : Range(points.Select(p => p.Y), logY, includeZero: !logY);
        double plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        double Sx(double x) => Left + (plotW * (Scale(x, logX) - Scale(x0, logX)) / (Scale(x1, logX) - Scale(x0, logX)));
        double Sy(double y) => Top + plotH - (plotH * (Scale(y, logY) - Scale(y0, logY)) / (Scale(y1, logY) - Scale(y0, logY)));

        var svg = new StringBuilder();
        svg.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        svg.Append(Inv($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n"));
        svg.Append(Inv($"<text x=\"{Width / 2}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{Esc(title)}</text>\n"));
        foreach (double tick in Ticks(x0, x1, logX))
        {
            double x = Sx(tick);
            svg.Append(Inv($"<line x1=\"{x:F1}\" y1=\"{Top}\" x2=\"{x:F1}\" y2=\"{Top + plotH}\" stroke=\"#e4e4e4\"/>"));
            svg.Append(Inv($"<text x=\"{x:F1}\" y=\"{Top + plotH + 18}\" text-anchor=\"middle\">{Label(tick)}</text>\n"));
        }

        foreach (double tick in Ticks(y0, y1, logY))
        {
            double y = Sy(tick);
            svg.Append(Inv($"<line x1=\"{Left}\" y1=\"{y:F1}\" x2=\"{Left + plotW}\" y2=\"{y:F1}\" stroke=\"#e4e4e4\"/>"));
            svg.Append(Inv($"<text x=\"{Left - 6}\" y=\"{y + 4:F1}\" text-anchor=\"end\">{Label(tick)}</text>\n"));
        }

        svg.Append(Inv($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#444\"/>\n"));
        svg.Append(Inv($"<text x=\"{Left + (plotW / 2)}\" y=\"{Height - 18}\" text-anchor=\"middle\">{Esc(xLabel)}</text>\n"));
        svg.Append(Inv($"<text transform=\"translate(20 {Top + (plotH / 2)}) rotate(-90)\" text-anchor=\"middle\">{Esc(yLabel)}</text>\n"));

        int legendY = Top + 10;
        foreach (PlotSeries series in _series)
        {
            var usable = series.Points.Where(p => Usable(p.X, logX) && Usable(p.Y, logY)).OrderBy(p => p.X).ToArray();
            string dash = series.Dashed ? " stroke-dasharray=\"6 4\"" : "";
            if (usable.Length > 1)
            {
                string path = string.Join(" ", usable.Select(p => Inv($"{Sx(p.X):F1},{Sy(p.Y):F1}")));
                svg.Append(Inv($"<polyline points=\"{path}\" fill=\"none\" stroke=\"{series.Color}\" stroke-width=\"2\"{dash}/>\n"));
            }

            foreach ((double x, double y) in usable)
            {
                svg.Append(Inv($"<circle cx=\"{Sx(x):F1}\" cy=\"{Sy(y):F1}\" r=\"3.5\" fill=\"{series.Color}\"><title>{Esc(series.Name)}: {Label(x)}, {Label(y)}</title></circle>\n"));
            }

            svg.Append(Inv($"<line x1=\"{Width - Right + 15}\" y1=\"{legendY}\" x2=\"{Width - Right + 40}\" y2=\"{legendY}\" stroke=\"{series.Color}\" stroke-width=\"2\"{dash}/>"));
            svg.Append(Inv($"<text x=\"{Width - Right + 46}\" y=\"{legendY + 4}\">{Esc(series.Name)}</text>\n"));
            legendY += 20;
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static bool Usable(double v, bool log) => double.IsFinite(v) && (!log || v > 0);

    private static double Scale(double v, bool log) => log ? Math.Log10(v) : v;

    private static (double, double) Range(IEnumerable<double> values, bool log, bool includeZero)
    {
        double min = values.Min(), max = values.Max();
        if (log)
        {
            return (Math.Pow(10, Math.Floor(Math.Log10(min))), Math.Pow(10, Math.Ceiling(Math.Log10(max) + 1e-9)));
        }

        if (includeZero)
        {
            min = Math.Min(0, min);
            max = Math.Max(0, max);
        }

        if (max - min < 1e-9)
        {
            max = min + 1;
        }

        double step = NiceStep((max - min) / 5);
        return (Math.Floor(min / step) * step, Math.Ceiling(max / step) * step);
    }

    private static IEnumerable<double> Ticks(double from, double to, bool log)
    {
        if (log)
        {
            for (double decade = from; decade <= to * 1.0001; decade *= 10)
            {
                yield return decade;
            }

            yield break;
        }

        double step = NiceStep((to - from) / 5);
        for (double t = from; t <= to + (step / 1000); t += step)
        {
            yield return Math.Round(t / step) * step;
        }
    }

    private static double NiceStep(double raw)
    {
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double r = raw / magnitude;
        return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * magnitude;
    }

    private static string Label(double v) => v.ToString(Math.Abs(v) >= 100 || v == Math.Round(v) ? "0" : "0.##", CultureInfo.InvariantCulture);

    private static string Esc(string text) => WebUtility.HtmlEncode(text);

    private static string Inv(FormattableString text) => FormattableString.Invariant(text);
}
