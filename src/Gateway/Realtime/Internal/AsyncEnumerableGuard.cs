using System.Runtime.CompilerServices;

namespace Chat.Gateway.Realtime.Internal;

/// <summary>
/// Wraps a hub method's stream so that a filter can act on what happens during enumeration, which
/// runs after the hub method itself has returned: map exceptions, and run a callback at the end.
/// </summary>
internal static class AsyncEnumerableGuard
{
    public static async IAsyncEnumerable<T> Guard<T>(
        IAsyncEnumerable<T> items, Func<Exception, Exception?>? mapError, Action? onEnd, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var enumerator = items.GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                bool hasItem;
                try
                {
                    hasItem = await enumerator.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (mapError?.Invoke(ex) is { } mapped)
                {
                    throw mapped;
                }

                if (!hasItem)
                {
                    yield break;
                }

                yield return enumerator.Current;
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
            onEnd?.Invoke();
        }
    }
}
