namespace Chat.ModelTrainer.Corpus;

/// <summary>Which operations the hard arithmetic share (<see cref="CorpusRecipe.HardArithmetic"/>) draws three-digit operands for.</summary>
public enum HardArithmeticScope
{
    /// <summary>Sums, differences and products (runs 15-21 in models/README.md).</summary>
    All,

    /// <summary>
    /// Products only: sums and differences keep the evaluation's operands, uniform over one, two and three digits
    /// (two thirds of such pairs mix lengths, against a ninth of the hard ones), with the matched and small-difference shares.
    /// </summary>
    Multiply,
}
