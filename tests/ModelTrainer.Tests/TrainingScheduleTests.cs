using Chat.ModelTrainer.Training;

namespace Chat.ModelTrainer.Tests;

/// <summary>
/// The learning-rate schedule's clock: the larger spent fraction of the step and wall-clock budgets; and the batch
/// shape it selects, rows of the whole context for the last share of the run (the context extension).
/// </summary>
public sealed class TrainingScheduleTests
{
    [Theory]
    [InlineData(13000, 44.0, 6500, 600.0, 0.5)] // ahead of the clock: the steps lead
    [InlineData(13000, 44.0, 1000, 1320.0, 0.5)] // a slow machine: the clock leads, the run ends on time
    [InlineData(13000, null, 6500, 5000.0, 0.5)]
    [InlineData(null, 10.0, 0, 300.0, 0.5)]
    public void Progress_is_the_larger_spent_fraction_of_the_budgets(int? steps, double? minutes, int step, double elapsed, double expected)
    {
        var state = new TrainingState(TrainingOptions.DefaultSpec, DataSeed: 1, step, elapsed, Tokens: 0, minutes, steps);
        Assert.Equal(expected, Trainer.Progress(state), precision: 9);
    }

    [Theory]
    [InlineData(0.0, 8, 384)]
    [InlineData(0.74, 8, 384)]
    [InlineData(0.75, 6, 512)] // the last quarter: the same 3,072 tokens per step in rows of the whole context
    [InlineData(0.99, 6, 512)]
    public void The_last_share_of_the_run_packs_rows_of_the_whole_context(double progress, int rows, int rowLength)
    {
        var options = new TrainingOptions { OutDirectory = "unused", Rows = 8, RowLength = 384, ContextExtension = 0.25, ShortRows = 0 };
        Assert.Equal((rows, rowLength), options.RowsAt(progress));
    }

    [Theory]
    [InlineData(0.0, 16, 192)] // the first half: the same 3,072 tokens per step in rows of 192
    [InlineData(0.49, 16, 192)]
    [InlineData(0.5, 8, 384)]
    [InlineData(0.74, 8, 384)]
    [InlineData(0.75, 6, 512)]
    public void The_first_share_of_the_run_packs_short_rows(double progress, int rows, int rowLength)
    {
        var options = new TrainingOptions { OutDirectory = "unused", Rows = 8, RowLength = 384, ContextExtension = 0.25, ShortRows = 0.5, ShortRowLength = 192 };
        Assert.Equal((rows, rowLength), options.RowsAt(progress));
    }

    [Theory]
    [InlineData(0.1, 0, 16, 192)]
    [InlineData(0.1, 2, 16, 192)]
    [InlineData(0.1, 3, 6, 512)] // every fourth step of the short share: rows of the whole context
    [InlineData(0.49, 7, 6, 512)]
    [InlineData(0.49, 8, 16, 192)]
    [InlineData(0.6, 3, 8, 384)] // after the short share the step no longer matters
    [InlineData(0.8, 2, 6, 512)]
    public void Every_kth_step_of_the_short_share_packs_rows_of_the_whole_context(double progress, long step, int rows, int rowLength)
    {
        var options = new TrainingOptions { OutDirectory = "unused", Rows = 8, RowLength = 384, ContextExtension = 0.25, ShortRows = 0.5, ShortRowLength = 192, LongRowsEvery = 4 };
        Assert.Equal((rows, rowLength), options.RowsAt(progress, step));
        Assert.Equal((16, 192), (options with { LongRowsEvery = 0 }).RowsAt(progress < 0.5 ? progress : 0, step));
        var negative = Assert.Throws<ArgumentException>(() => (options with { Steps = 10, LongRowsEvery = -1 }).Validate());
        Assert.Contains("--long-rows-every", negative.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Short_rows_no_shorter_than_the_rows_change_nothing_and_the_context_extension_wins_where_they_overlap()
    {
        var options = new TrainingOptions { OutDirectory = "unused", Rows = 8, RowLength = 384, ContextExtension = 0.25, ShortRows = 0.5, ShortRowLength = 384 };
        Assert.Equal((8, 384), options.RowsAt(0));
        Assert.Equal(0, options.ShortRowsShare);
        Assert.Equal((8, 384), (options with { ShortRows = 0, ShortRowLength = 192 }).RowsAt(0));
        Assert.Equal((1, 192), (options with { Rows = 1, RowLength = 200, ShortRowLength = 192 }).RowsAt(0)); // never fewer than one row
        options = options with { Steps = 10, ShortRowLength = 192 };
        options.Validate();
        var overlapping = options with { ShortRows = 0.8, ContextExtension = 0.5 };
        overlapping.Validate();
        Assert.Equal(0.5, overlapping.ShortRowsShare);
        Assert.Equal((16, 192), overlapping.RowsAt(0.49));
        Assert.Equal((6, 512), overlapping.RowsAt(0.5));
        Assert.Equal(0.8, (overlapping with { ContextExtension = 0 }).ShortRowsShare);
        var length = Assert.Throws<ArgumentException>(() => (options with { ShortRowLength = 0 }).Validate());
        Assert.Contains("--short-row-length", length.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_recipe_trains_short_rows_for_three_quarters_with_every_fourth_step_at_the_whole_context()
    {
        var options = new TrainingOptions { OutDirectory = "unused", Steps = 16000 };
        options.Validate();
        Assert.Equal(0.75, options.ShortRowsShare);
        Assert.Equal([(16, 192), (16, 192), (16, 192), (6, 512)], Enumerable.Range(0, 4).Select(step => options.RowsAt(0.5, step)));
        Assert.Equal((6, 512), options.RowsAt(0.75, 0));
    }

    [Fact]
    public void Without_an_extension_or_with_whole_context_rows_the_shape_never_changes()
    {
        var off = new TrainingOptions { OutDirectory = "unused", Rows = 8, RowLength = 384, ContextExtension = 0 };
        var whole = new TrainingOptions { OutDirectory = "unused", Rows = 6, RowLength = 512, ContextExtension = 0.25 };
        Assert.Equal((8, 384), off.RowsAt(0.99));
        Assert.Equal((6, 512), whole.RowsAt(0.99));
        Assert.Equal((1, 512), (whole with { Rows = 1, RowLength = 100 }).RowsAt(0.9)); // never fewer than one row
    }

    [Fact]
    public void A_run_switches_to_whole_context_rows_for_its_last_share_and_says_so()
    {
        var (state, log) = TrainTiny("trainer-extension-", options => options with { RowLength = 32, ContextExtension = 0.5 });
        Assert.Equal(8, state.Step);
        Assert.Contains("2x32 (1x64 for the last 0.5 of the run) tokens per step", log, StringComparison.Ordinal);
        Assert.Contains("step 4: 1x64 tokens per step from here (context extension)", log, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_starts_on_short_rows_for_its_first_share_and_says_when_it_leaves_them()
    {
        var (state, log) = TrainTiny("trainer-short-rows-", options => options with { RowLength = 48, ContextExtension = 0, ShortRows = 0.5, ShortRowLength = 32, LongRowsEvery = 0 });
        Assert.Equal(8, state.Step);
        Assert.True(state.Tokens > 0);
        Assert.Contains("2x48 (3x32 for the first 0.5 of the run) tokens per step", log, StringComparison.Ordinal);
        Assert.Contains("step 4: 2x48 tokens per step from here\n", log, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_on_short_rows_with_whole_context_steps_among_them_says_so_and_trains_them()
    {
        var (state, log) = TrainTiny("trainer-long-rows-", options => options with { RowLength = 48, ContextExtension = 0, ShortRows = 0.5, ShortRowLength = 32, LongRowsEvery = 2 });
        Assert.Equal(8, state.Step);
        Assert.True(state.Tokens > 0);
        Assert.Contains("2x48 (3x32 for the first 0.5 of the run, 1x64 every 2 steps there) tokens per step", log, StringComparison.Ordinal);
        Assert.Contains("step 4: 2x48 tokens per step from here\n", log, StringComparison.Ordinal);
        Assert.DoesNotContain("step 1: ", log, StringComparison.Ordinal); // the whole-context steps are not phase changes
    }

    /// <summary>Eight steps of <see cref="TinyRun"/> as <paramref name="configure"/> changes it, in a temporary folder; the state and the log (lines ending in \n).</summary>
    private static (TrainingState State, string Log) TrainTiny(string folderPrefix, Func<TrainingOptions, TrainingOptions> configure)
    {
        TorchSharpNative.EnsureLoaded();
        var directory = Directory.CreateTempSubdirectory(folderPrefix).FullName;
        try
        {
            var log = new StringWriter();
            var state = new Trainer(configure(TinyRun.Options(directory, steps: 8, resume: false)), log).Run();
            return (state, log.ToString().ReplaceLineEndings("\n"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
