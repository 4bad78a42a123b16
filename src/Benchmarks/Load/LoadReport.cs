using System.Globalization;
using System.Text;
using ScottPlot;

namespace Chat.Benchmarks.Load;

/// <summary>The load benchmark's markdown table, headline ratios and PNG chart (tokens/s and TTFT against concurrency).</summary>
internal sealed class LoadReport(string header, IReadOnlyList<LevelResult> levels, BareLoopFigure? bare)
{
    public string Markdown()
    {
        var text = new StringBuilder();
        text.AppendLine(header).AppendLine();
        text.AppendLine("| target | streams | aggregate tok/s | per-stream tok/s | TTFT p50 ms | TTFT p99 ms | inter-token p50 ms | inter-token p99 ms | failed |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in levels)
        {
            text.AppendLine(Invariant($"| {r.Target} | {r.Streams} | {r.AggregateTokensPerSecond:0.0} | {r.PerStreamTokensPerSecond:0.0} | {r.TtftP50Ms:0.0} | {r.TtftP99Ms:0.0} | {r.InterTokenP50Ms:0.00} | {r.InterTokenP99Ms:0.00} | {r.FailedStreams} |"));
        }

        if (bare is not null)
        {
            text.AppendLine(Invariant($"| bare ORT loop (batch 1) | 1 | {bare.DecodeTokensPerSecond:0.0} | {bare.DecodeTokensPerSecond:0.0} | | | {1000 / bare.DecodeTokensPerSecond:0.00} | | |"));
        }

        text.AppendLine();
        foreach (var line in Ratios())
        {
            text.AppendLine("- " + line);
        }

        return text.ToString();
    }

    /// <summary>The acceptance ratios that the measured targets allow.</summary>
    public IEnumerable<string> Ratios()
    {
        foreach (var target in levels.Select(l => l.Target).Distinct())
        {
            var single = Find(target, 1);
            var sixteen = Find(target, 16);
            if (single is not null && sixteen is not null && single.AggregateTokensPerSecond > 0)
            {
                yield return Invariant($"{target}: aggregate tok/s at 16 streams / 1 stream = {sixteen.AggregateTokensPerSecond / single.AggregateTokensPerSecond:0.00}x (target >= 4x)");
            }
        }

        var engine = Find(EngineTarget.TargetName, 1);
        if (engine is not null && bare is not null)
        {
            yield return Invariant($"in-process engine decode tok/s at 1 stream / bare ORT loop = {engine.PerStreamTokensPerSecond / bare.DecodeTokensPerSecond:0.000} (target >= 0.95)");
        }

        foreach (var http in levels.Where(l => l.Streams == 1 && l.Target != EngineTarget.TargetName))
        {
            if (engine is not null && engine.PerStreamTokensPerSecond > 0)
            {
                yield return Invariant($"{http.Target} single-stream tok/s / in-process engine = {http.PerStreamTokensPerSecond / engine.PerStreamTokensPerSecond:0.000} (target >= 0.90)");
            }
        }
    }

    public void SaveChart(string path)
    {
        var chart = new Multiplot();
        chart.AddPlots(2);
        chart.Layout = new ScottPlot.MultiplotLayouts.Columns();
        var throughput = chart.GetPlot(0);
        var ttft = chart.GetPlot(1);
        var concurrency = levels.Select(l => l.Streams).Distinct().Order().ToArray();
        var positions = concurrency.Select(n => Math.Log2(n)).ToArray();
        foreach (var target in levels.Select(l => l.Target).Distinct())
        {
            var rows = levels.Where(l => l.Target == target).OrderBy(l => l.Streams).ToArray();
            var xs = rows.Select(r => Math.Log2(r.Streams)).ToArray();
            throughput.Add.Scatter(xs, rows.Select(r => r.AggregateTokensPerSecond).ToArray()).LegendText = target;
            ttft.Add.Scatter(xs, rows.Select(r => r.TtftP50Ms).ToArray()).LegendText = target + " p50";
            ttft.Add.Scatter(xs, rows.Select(r => r.TtftP99Ms).ToArray()).LegendText = target + " p99";
        }

        if (bare is not null)
        {
            var line = throughput.Add.HorizontalLine(bare.DecodeTokensPerSecond);
            line.LegendText = "bare ORT loop, batch 1";
            line.LinePattern = LinePattern.Dashed;
        }

        Style(throughput, "Aggregate throughput", "tokens/s (all streams)", positions, concurrency);
        Style(ttft, "Time to first token", "ms", positions, concurrency);
        chart.SavePng(path, 1200, 450);
    }

    private LevelResult? Find(string target, int streams) => levels.FirstOrDefault(l => l.Target == target && l.Streams == streams);

    private static void Style(Plot plot, string title, string yLabel, double[] positions, int[] concurrency)
    {
        plot.Title(title);
        plot.Axes.Left.Label.Text = yLabel;
        plot.Axes.Bottom.Label.Text = "concurrent streams";
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, [.. concurrency.Select(n => n.ToString(CultureInfo.InvariantCulture))]);

        // An invisible point at zero makes the automatic limits start there, so heights compare honestly.
        var zero = plot.Add.Scatter(positions[..1], [0.0]);
        zero.MarkerSize = 0;
        zero.LineWidth = 0;
        plot.ShowLegend(Alignment.UpperLeft);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
