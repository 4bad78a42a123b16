Chat.ModelTrainer.TorchSharpNative.EnsureLoaded();
using var product = TorchSharp.torch.ones(2, 3).matmul(TorchSharp.torch.ones(3, 2));
Console.WriteLine($"{Chat.ModelTrainer.TorchSharpNative.CompatDirectory}: {product.sum().item<float>()}");
