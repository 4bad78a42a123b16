using Chat.Inference.Engine;
using Chat.Inference.Engine.Internal;
using Chat.Inference.Models;
using Chat.Inference.Onnx;
using Chat.Inference.Tests.Fakes;
using Chat.ModelBuilder.Decoder;
using Chat.TestSupport;
using Chat.TestSupport.Models;

namespace Chat.Inference.Tests.Engine;

/// <summary>
/// The shared batch KV cache through every membership change (join shorter and longer than the
/// batch, leave from the middle, trim shared padding), held to each row run alone in lockstep on
/// logits, which catches a misplaced key or value that greedy ids of a random model may not.
/// </summary>
public sealed class DecodeBatchTests
{
    [Theory]
    [InlineData(DecoderGraphStyle.Standard)]
    [InlineData(DecoderGraphStyle.Contrib)]
    public void Every_row_of_a_changing_batch_has_the_logits_it_has_alone(DecoderGraphStyle graph) =>
        AssertRowsMatchAlone(TestModels.Tiny(graph).Directory, tolerance: 1e-4f);

    [GenAiFixtureFact]
    public void Every_row_of_a_changing_batch_has_the_logits_it_has_alone_on_both_fixtures()
    {
        AssertRowsMatchAlone(Fixtures.Gpt2, tolerance: 1e-4f);
        AssertRowsMatchAlone(Fixtures.Llama, tolerance: 2e-2f);
    }

    private static void AssertRowsMatchAlone(string folder, float tolerance)
    {
        using var model = DecoderModel.Load(folder, GenAiConfig.Load(folder), 1);
        using var runner = new DecoderRunner(model);
        using var batch = new DecodeBatch(runner, 4);
        var rows = new List<Row>();
        try
        {
            void Change(int[] leaving, params Row[] joining)
            {
                foreach (var row in rows.Where(r => leaving.Contains(r.Id)).ToList())
                {
                    row.Sequence.HoldsKv = false;
                    rows.Remove(row);
                    row.Cache.Dispose();
                }

                rows.AddRange(joining);
                batch.Update(joining.Select(r => r.Sequence).ToList(), joining.Select(r => new KvRowSource(r.Cache, 0, 0)).ToArray());
            }

            void Join(params Row[] joining) => Change([], joining);

            void Leave(params int[] ids) => Change(ids);

            void Steps(int count, int expectedLength)
            {
                for (var step = 0; step < count; step++)
                {
                    foreach (var row in rows)
                    {
                        row.Sequence.LastToken = row.NextToken();
                    }

                    batch.Decode(runner);
                    for (var i = 0; i < batch.Count; i++)
                    {
                        var row = rows.Single(r => ReferenceEquals(r.Sequence, batch.Rows[i]));
                        var alone = row.Step(runner);
                        var batched = batch.Logits(i);
                        var worst = 0f;
                        for (var v = 0; v < alone.Length; v++)
                        {
                            worst = Math.Max(worst, Math.Abs(alone[v] - batched[v]));
                        }

                        Assert.True(worst <= tolerance, $"{Path.GetFileName(folder)} row {row.Id} at batch step {step}: logits differ by {worst}");
                    }
                }

                Assert.Equal(expectedLength, batch.Length);
            }

            Row Prefill(int id, int length) => Row.Prefill(runner, id, length);

            Join(Prefill(0, 5), Prefill(1, 17), Prefill(2, 9));
            Steps(3, 20);
            Leave(0);                      // not the longest: the last row moves into its slot
            Steps(2, 22);
            Join(Prefill(3, 30));          // longer than the batch: every row is re-laid
            Steps(2, 32);
            Join(Prefill(4, 4));           // shorter: written beside the others
            Steps(2, 34);
            Leave(3, 1);                   // the two longest leave: the shared padding is trimmed
            Steps(2, 20);
            Change([2], Prefill(5, 18), Prefill(6, 11)); // the first row leaves and two join: in place
            Steps(2, 22);
            Assert.Equal(3, batch.Count);
        }
        finally
        {
            foreach (var row in rows)
            {
                row.Cache.Dispose();
            }
        }
    }

    /// <summary>One sequence run alone in its own cache, fed the same tokens as its batch row.</summary>
    private sealed class Row
    {
        private readonly float[] _logits;
        private int _fed;

        private Row(int id, KvCache cache, int vocab)
        {
            Id = id;
            Cache = cache;
            _logits = new float[vocab];
            Sequence = new Sequence(new GenerationRequest { PromptTokenIds = [1] }, [1], 64) { HoldsKv = true };
        }

        public int Id { get; }

        public KvCache Cache { get; }

        public Sequence Sequence { get; }

        public static Row Prefill(DecoderRunner runner, int id, int length)
        {
            var row = new Row(id, runner.CreateCache(1), runner.VocabSize);
            var prompt = Enumerable.Range(0, length).Select(j => 3 + (((id * 37) + (j * 11)) % 250)).ToArray();
            runner.Forward(row.Cache, prompt, [0], row._logits);
            return row;
        }

        public int NextToken() => 3 + (((Id * 13) + (_fed * 7)) % 250);

        public float[] Step(DecoderRunner runner)
        {
            runner.Forward(Cache, [NextToken()], [0], _logits);
            _fed++;
            return _logits;
        }
    }
}
