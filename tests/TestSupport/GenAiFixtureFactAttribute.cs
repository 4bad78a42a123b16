using Xunit;

namespace Chat.TestSupport;

/// <summary>
/// A fact that needs the reference-built conformance fixtures (<c>GENAI_FIXTURES</c>); it is skipped,
/// with the reason shown, when the variable is unset.
/// </summary>
public sealed class GenAiFixtureFactAttribute : FactAttribute
{
    public GenAiFixtureFactAttribute()
    {
        if (RepositoryPaths.GenAiFixtures is null)
        {
            Skip = "GENAI_FIXTURES is unset: set it to the folder holding the onnxruntime-genai conformance fixtures.";
        }
    }
}
