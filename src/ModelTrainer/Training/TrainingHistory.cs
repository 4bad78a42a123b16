using System.Globalization;
using ScottPlot;

namespace Chat.ModelTrainer.Training;

/// <summary>history.csv of a run (one row per progress line) and the loss / held-out accuracy curve drawn from it.</summary>
public sealed class TrainingHistory(string outDirectory)
{
    public const string CsvName = "history.csv";
    public const string PlotName = "training-curve.png";
    private const string Header = "step,elapsed_s,tokens,loss,lr,heldout_accuracy";

    private string CsvPath => Path.Combine(outDirectory, CsvName);

    public void Reset() => File.WriteAllText(CsvPath, Header + "\n");

    /// <summary>Drops rows past the checkpoint a resumed run restarts from.</summary>
    public void TruncateAfter(int step)
    {
        var rows = File.Exists(CsvPath) ? File.ReadAllLines(CsvPath).Skip(1) : [];
        var kept = rows.Where(row => int.Parse(row.Split(',')[0], CultureInfo.InvariantCulture) <= step);
        File.WriteAllLines(CsvPath, [Header, .. kept]);
    }

    public void Append(TrainingState state, double loss, double lr, double? accuracy) =>
        File.AppendAllText(CsvPath, string.Create(CultureInfo.InvariantCulture,
            $"{state.Step},{state.ElapsedSeconds:0.0},{state.Tokens},{loss:0.00000},{lr:0.000e+00},{accuracy?.ToString("0.0000", CultureInfo.InvariantCulture)}\n"));

    /// <summary>Training loss (left axis, log scale) and held-out exact match (right axis) against elapsed minutes.</summary>
    public string Plot()
    {
        var rows = File.ReadAllLines(CsvPath).Skip(1).Select(line => line.Split(',')).ToList();
        double Minutes(string[] row) => double.Parse(row[1], CultureInfo.InvariantCulture) / 60;
        var plot = new Plot();
        var loss = plot.Add.Scatter(
            rows.Select(Minutes).ToArray(),
            rows.Select(row => Math.Log10(double.Parse(row[3], CultureInfo.InvariantCulture))).ToArray());
        loss.LegendText = "training loss (log10, left)";
        loss.MarkerSize = 0;
        var evaluated = rows.Where(row => row[5].Length > 0).ToList();
        var accuracy = plot.Add.Scatter(
            evaluated.Select(Minutes).ToArray(),
            evaluated.Select(row => 100 * double.Parse(row[5], CultureInfo.InvariantCulture)).ToArray());
        accuracy.LegendText = "held-out exact match % (right)";
        accuracy.Axes.YAxis = plot.Axes.Right;
        plot.Axes.Bottom.Label.Text = "training time (minutes)";
        plot.Axes.Left.Label.Text = "log10 loss";
        plot.Axes.Right.Label.Text = "held-out exact match (%)";
        plot.Axes.SetLimitsY(0, 100, plot.Axes.Right);
        plot.Title("chat-default training");
        plot.ShowLegend(Alignment.UpperCenter);
        var path = Path.Combine(outDirectory, PlotName);
        plot.SavePng(path, 900, 500);
        return path;
    }
}
