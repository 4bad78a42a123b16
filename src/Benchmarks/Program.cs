using Chat.Benchmarks;

return args is ["engine", .. var rest]
    ? await EngineBenchmark.RunAsync(rest)
    : Usage();

static int Usage()
{
    Console.Error.WriteLine(EngineBenchmark.Usage);
    return 2;
}
