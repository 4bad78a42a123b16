namespace Chat.Inference.Engine.Internal;

/// <summary>
/// The bounded waiting queue, fair across clients: each client (by <see cref="GenerationRequest.ClientId"/>)
/// has its own FIFO, and the next free slot goes to the waiting client served least recently. A client
/// that starts waiting ranks just before the client served last: ahead of a bursting client that was
/// just served, behind everyone who has waited longer since their last service, so newcomers cannot
/// starve anyone either. A burst of 20 from one client therefore delays another client's single
/// request by at most one admission, not by all 20.
/// One lock guards everything: submitters, cancellers and the loop each hold it for O(clients) work.
/// Cancelled sequences are unlinked at once, so the count is always the live waiting count.
/// </summary>
internal sealed class FairWaitingQueue
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ClientQueue> _clients = new(StringComparer.Ordinal);
    private readonly List<ClientQueue> _active = [];
    private long _admissions;
    private long _activations;
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// Adds at the back of the client's FIFO; false when <paramref name="limit"/> sequences already wait.
    /// A sequence cancelled before it got here is not queued (its stream has ended already).
    /// </summary>
    public bool TryEnqueue(Sequence sequence, int limit)
    {
        lock (_gate)
        {
            // Checked under the lock that Scheduler.Cancel's TryRemove takes: a cancel either sees the
            // sequence queued and unlinks it, or finished it before this check.
            if (sequence.IsFinished)
            {
                return true;
            }

            if (_count >= limit)
            {
                return false;
            }

            var clientId = sequence.Request.ClientId;
            if (!_clients.TryGetValue(clientId, out var client))
            {
                client = new ClientQueue(clientId);
                _clients.Add(clientId, client);
            }

            if (client.Waiting.Count == 0)
            {
                client.ActiveSince = ++_activations;
                client.LastServed = (2 * _admissions) - 1;
                _active.Add(client);
            }

            sequence.QueueNode = client.Waiting.AddLast(sequence);
            Volatile.Write(ref _count, _count + 1);
            return true;
        }
    }

    /// <summary>Takes the head of the least recently served waiting client's FIFO.</summary>
    public bool TryDequeue(out Sequence sequence)
    {
        lock (_gate)
        {
            ClientQueue? next = null;
            foreach (var client in _active)
            {
                if (next is null || client.LastServed < next.LastServed || (client.LastServed == next.LastServed && client.ActiveSince < next.ActiveSince))
                {
                    next = client;
                }
            }

            if (next is null)
            {
                sequence = null!;
                return false;
            }

            sequence = next.Waiting.First!.Value;
            Unlink(sequence);
            next.LastServed = 2 * ++_admissions;
            return true;
        }
    }

    /// <summary>Removes a sequence that was cancelled while waiting; false when the loop already took it.</summary>
    public bool TryRemove(Sequence sequence)
    {
        lock (_gate)
        {
            if (sequence.QueueNode?.List is null)
            {
                return false;
            }

            Unlink(sequence);
            return true;
        }
    }

    /// <summary>Empties the queue (shutdown) and returns what waited.</summary>
    public List<Sequence> DrainAll()
    {
        lock (_gate)
        {
            var all = _active.SelectMany(c => c.Waiting).ToList();
            foreach (var sequence in all)
            {
                Unlink(sequence);
            }

            return all;
        }
    }

    private void Unlink(Sequence sequence)
    {
        var node = sequence.QueueNode!;
        var waiting = node.List!;
        waiting.Remove(node);
        sequence.QueueNode = null;
        Volatile.Write(ref _count, _count - 1);
        if (waiting.Count == 0)
        {
            var client = _clients[sequence.Request.ClientId];
            _active.Remove(client);

            // Forget idle clients so the table stays as small as the set of waiting clients; a client
            // that comes back ranks like any newcomer.
            _clients.Remove(client.Id);
        }
    }

    private sealed class ClientQueue(string id)
    {
        public string Id { get; } = id;

        public LinkedList<Sequence> Waiting { get; } = new();

        /// <summary>Twice the admission number of its last service (odd: ranked in as a newcomer).</summary>
        public long LastServed { get; set; }

        public long ActiveSince { get; set; }
    }
}
