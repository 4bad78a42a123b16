namespace Chat.ModelBuilder.Classifier.Internal;

/// <summary>K-fold cross-validation over a seeded shuffle (the only randomness in training).</summary>
internal static class CrossValidation
{
    public static double Accuracy(LabeledDataset data, int folds, ulong seed, Func<IReadOnlyList<int>, SoftmaxRegression> train)
    {
        var order = Shuffle(data.Count, seed);
        var correct = 0;
        for (var fold = 0; fold < folds; fold++)
        {
            var start = fold * data.Count / folds;
            var end = (fold + 1) * data.Count / folds;
            var held = order[start..end];
            var kept = order[..start].Concat(order[end..]).ToArray();
            var model = train(kept);
            correct += held.Count(r => model.Predict(data.Rows[r]) == data.Targets[r]);
        }

        return (double)correct / data.Count;
    }

    /// <summary>Fisher-Yates with SplitMix64, so the folds do not depend on System.Random's implementation.</summary>
    private static int[] Shuffle(int count, ulong seed)
    {
        var order = Enumerable.Range(0, count).ToArray();
        var state = seed;
        for (var i = count - 1; i > 0; i--)
        {
            state += 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            var j = (int)(z % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }
}
