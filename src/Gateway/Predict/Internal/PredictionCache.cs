using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Chat.Inference.Classification;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;

namespace Chat.Gateway.Predict.Internal;

/// <summary>
/// Cached probabilities per (model, version, exact feature bits) in <see cref="HybridCache"/>: memory
/// only by default, memory + Redis when Redis is configured, so replicas share answers.
/// Values are the probabilities' raw little-endian float bytes.
/// </summary>
internal sealed class PredictionCache(HybridCache cache, IOptions<PredictOptions> options)
{
    private static readonly HybridCacheEntryOptions LookupOnly = new()
    {
        Flags = HybridCacheEntryFlags.DisableUnderlyingData | HybridCacheEntryFlags.DisableLocalCacheWrite | HybridCacheEntryFlags.DisableDistributedCacheWrite,
    };

    private readonly HybridCacheEntryOptions _entry = new()
    {
        Expiration = TimeSpan.FromSeconds(options.Value.CacheTtlSeconds),
        LocalCacheExpiration = TimeSpan.FromSeconds(options.Value.CacheTtlSeconds),
    };

    public bool Enabled { get; } = options.Value.CacheTtlSeconds > 0;

    public static string Key(ClassifierModel model, ReadOnlySpan<float> row)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(MemoryMarshal.AsBytes(row), hash);
        return $"predict:{model.Name}:{model.Version}:{Convert.ToHexStringLower(hash[..16])}";
    }

    /// <summary>The cached probabilities, or compute them with <paramref name="compute"/> and store them.</summary>
    public async ValueTask<(float[] Probabilities, bool Hit)> GetOrComputeAsync(string key, Func<Task<float[]>> compute, CancellationToken cancellationToken)
    {
        var state = new ComputeState(compute);
        var bytes = await cache.GetOrCreateAsync(
            key,
            state,
            static async (s, _) =>
            {
                s.Computed = true;
                return MemoryMarshal.AsBytes((await s.Compute().ConfigureAwait(false)).AsSpan()).ToArray();
            },
            _entry,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return (MemoryMarshal.Cast<byte, float>(bytes).ToArray(), !state.Computed);
    }

    /// <summary>The cached probabilities, or null; never computes or writes.</summary>
    public async ValueTask<float[]?> TryGetAsync(string key, CancellationToken cancellationToken)
    {
        var bytes = await cache.GetOrCreateAsync<byte[]?>(key, static _ => ValueTask.FromResult<byte[]?>(null), LookupOnly, cancellationToken: cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }

    public ValueTask SetAsync(string key, ReadOnlySpan<float> probabilities, CancellationToken cancellationToken) =>
        cache.SetAsync(key, MemoryMarshal.AsBytes(probabilities).ToArray(), _entry, cancellationToken: cancellationToken);

    private sealed class ComputeState(Func<Task<float[]>> compute)
    {
        public Func<Task<float[]>> Compute { get; } = compute;

        public bool Computed { get; set; }
    }
}
