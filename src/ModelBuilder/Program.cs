return Chat.ModelBuilder.Cli.Run(args);
