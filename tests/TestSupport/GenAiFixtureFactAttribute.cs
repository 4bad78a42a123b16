using Xunit;

namespace Chat.TestSupport;

/// <summary>
/// A fact that needs the onnxruntime-genai conformance fixtures: skipped, with the reason shown,
/// when GENAI_FIXTURES is not set (see <see cref="RepositoryPaths.GenAiFixtures"/>).
/// </summary>
public sealed class GenAiFixtureFactAttribute : FactAttribute
{
    public GenAiFixtureFactAttribute()
    {
        if (RepositoryPaths.GenAiFixtures is null)
        {
            Skip = "GENAI_FIXTURES is not set; point it at the conformance fixtures folder (e.g. ../shared/fixtures/genai) to run this test.";
        }
    }
}
