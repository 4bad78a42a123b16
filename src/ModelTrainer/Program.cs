return Chat.ModelTrainer.Cli.Run(args);
