using System.Collections.Frozen;

namespace Chat.Inference.Classification;

/// <summary>
/// Every <c>&lt;name&gt;/&lt;version&gt;/</c> folder under a root, loaded once. <see cref="Refresh"/> adds
/// folders that appeared since the last scan while the loaded ones keep serving: readers see an
/// immutable snapshot swapped in whole, so lookups take no lock. Version folders are content-addressed
/// and therefore never reloaded.
/// </summary>
public sealed class ClassifierRegistry : IDisposable
{
    private readonly object _refreshGate = new();
    private readonly Dictionary<string, DateTime> _failedFolders = new(StringComparer.Ordinal);
    private volatile FrozenDictionary<string, ClassifierModel[]> _byName = FrozenDictionary<string, ClassifierModel[]>.Empty;
    private bool _disposed;

    public ClassifierRegistry(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    /// <summary>Model names in ordinal order.</summary>
    public IReadOnlyList<string> Names => [.. _byName.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Versions of <paramref name="name"/>, newest first (empty when unknown).</summary>
    public IReadOnlyList<ClassifierModel> Versions(string name) =>
        _byName.TryGetValue(name, out var versions) ? versions : [];

    /// <summary>The named version, or the newest when <paramref name="version"/> is null.</summary>
    public bool TryGet(string name, string? version, out ClassifierModel model)
    {
        model = null!;
        if (!_byName.TryGetValue(name, out var versions))
        {
            return false;
        }

        if (version is null)
        {
            model = versions[0];
            return true;
        }

        foreach (var candidate in versions)
        {
            if (string.Equals(candidate.Version, version, StringComparison.Ordinal))
            {
                model = candidate;
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Loads the version folders not loaded yet. A folder that failed is retried only once its
    /// contents change, so a broken folder is reported once rather than on every scan.
    /// </summary>
    public ClassifierRefreshResult Refresh()
    {
        if (!Directory.Exists(Root))
        {
            throw new DirectoryNotFoundException($"{Root}: classifiers folder not found");
        }

        lock (_refreshGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var current = _byName;
            var known = current.Values.SelectMany(v => v).Select(m => m.Folder).ToHashSet(StringComparer.Ordinal);
            var loaded = new List<ClassifierModel>();
            var failures = new List<ClassifierLoadFailure>();
            foreach (var folder in Directory.EnumerateDirectories(Root).SelectMany(Directory.EnumerateDirectories).Order(StringComparer.Ordinal))
            {
                var full = Path.GetFullPath(folder);
                if (known.Contains(full))
                {
                    continue;
                }

                var stamp = LastChange(full);
                if (_failedFolders.TryGetValue(full, out var failedStamp) && failedStamp == stamp)
                {
                    continue;
                }

                try
                {
                    loaded.Add(ClassifierModel.Load(full));
                    _failedFolders.Remove(full);
                }
                catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
                {
                    _failedFolders[full] = stamp;
                    failures.Add(new ClassifierLoadFailure(full, e.Message));
                }
            }

            if (loaded.Count > 0)
            {
                _byName = current.Values.SelectMany(v => v).Concat(loaded)
                    .GroupBy(m => m.Name, StringComparer.Ordinal)
                    .ToFrozenDictionary(
                        g => g.Key,
                        g => g.OrderByDescending(m => m.Metadata.Sequence).ThenByDescending(m => m.Version, StringComparer.Ordinal).ToArray(),
                        StringComparer.Ordinal);
            }

            return new ClassifierRefreshResult(loaded, failures);
        }
    }

    public void Dispose()
    {
        lock (_refreshGate)
        {
            _disposed = true;
            foreach (var model in _byName.Values.SelectMany(v => v))
            {
                model.Dispose();
            }

            _byName = FrozenDictionary<string, ClassifierModel[]>.Empty;
        }
    }

    private static DateTime LastChange(string folder) =>
        Directory.EnumerateFiles(folder).Select(File.GetLastWriteTimeUtc).Append(Directory.GetLastWriteTimeUtc(folder)).Max();
}
