using Xunit;

namespace Chat.TestSupport;

/// <summary>A fact that runs only when GENAI_FIXTURES points at the reference-built conformance fixtures.</summary>
public sealed class GenAiFixtureFactAttribute : FactAttribute
{
    public GenAiFixtureFactAttribute()
    {
        if (RepositoryPaths.GenAiFixtures is null)
        {
            Skip = "GENAI_FIXTURES is not set: run with GENAI_FIXTURES=<path to fixtures/genai> (scripts/test.sh sets it when ../shared/fixtures/genai exists).";
        }
    }
}
