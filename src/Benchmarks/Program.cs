using Chat.Benchmarks;
using Chat.Benchmarks.Load;

return args switch
{
    ["engine", .. var rest] => await EngineBenchmark.RunAsync(rest),
    ["load", .. var rest] => await LoadBenchmark.RunAsync(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine(EngineBenchmark.Usage);
    Console.Error.WriteLine(LoadBenchmark.Usage);
    return 2;
}
